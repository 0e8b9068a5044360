"""Routes for insights (placeholder until its domain lands)."""

from fastapi import APIRouter

router = APIRouter()
