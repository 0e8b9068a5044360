"""Request dependencies: services, staff authentication and role checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.app import Services
from core.auth import Principal, Role, authenticate

_bearer = HTTPBearer(auto_error=False)


def get_services(request: Request) -> Services:
    """Return the app's service container."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def bearer_or_cookie(request: Request, creds: HTTPAuthorizationCredentials | None) -> str | None:
    """Return the presented staff key from the Authorization header or the console cookie."""
    if creds is not None and creds.credentials:
        return creds.credentials
    return request.cookies.get("baton_staff")


def get_principal(request: Request, services: ServicesDep, creds: BearerDep) -> Principal:
    """Authenticate the staff caller or answer 401."""
    key = bearer_or_cookie(request, creds)
    if not key:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing staff key: send 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    principal = authenticate(services.engine, key, services.settings.admin_key)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "invalid or revoked staff key",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """Build a dependency that admits only the given roles (admin always passes)."""

    def _check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if principal.role != "admin" and principal.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this call needs a key with role {' or '.join(('admin', *roles))}",
            )
        return principal

    return _check


MarketerDep = Annotated[Principal, Depends(require_roles("marketer"))]
SalesDep = Annotated[Principal, Depends(require_roles("sales"))]
AdminDep = Annotated[Principal, Depends(require_roles())]
StaffDep = Annotated[Principal, Depends(get_principal)]
