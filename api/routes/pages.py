"""Routes for pages (placeholder until its domain lands)."""

from fastapi import APIRouter

router = APIRouter()
