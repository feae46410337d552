"""Charity's HTTP API for time bank."""

from fastapi import APIRouter

router = APIRouter(tags=["time-bank"])
