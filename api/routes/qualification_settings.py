"""Routes for qualification_settings (placeholder until its domain lands)."""

from fastapi import APIRouter

router = APIRouter()
