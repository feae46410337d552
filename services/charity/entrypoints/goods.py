"""Charity's HTTP API for goods."""

from fastapi import APIRouter

router = APIRouter(tags=["goods"])
