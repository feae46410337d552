"""Intake: registers people in need (服务对象登记)."""
