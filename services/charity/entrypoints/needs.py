"""Charity's HTTP API for needs."""

from fastapi import APIRouter

router = APIRouter(tags=["needs"])
