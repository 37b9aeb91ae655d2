"""Routes reach the services through the hub: ``async def page(services: Services)``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tastemaker.services.hub import ServiceHub


async def get_services(request: Request) -> ServiceHub:
    hub: ServiceHub = request.app.state.services
    return hub


Services = Annotated[ServiceHub, Depends(get_services)]
