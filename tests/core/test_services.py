"""Modules register their services through the descriptor; the container hands them out by type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from rustok.bootstrap import build_container, default_modules
from rustok.core.modules import ModuleDescriptor

if TYPE_CHECKING:
    from rustok.bootstrap import Container
    from rustok.core.settings import Settings


@dataclass
class GreetingService:
    greeting: str


@dataclass
class ShoutService:
    greetings: GreetingService

    def shout(self) -> str:
        return self.greetings.greeting.upper()


GREETER = ModuleDescriptor(
    slug="greeter",
    name="Greeter",
    version="1",
    services=(lambda container: GreetingService("hello"),),
)
SHOUTER = ModuleDescriptor(
    slug="shouter",
    name="Shouter",
    version="1",
    dependencies=("greeter",),
    services=(lambda container: ShoutService(container.service(GreetingService)),),
)


@pytest.mark.backends("sqlite")
async def test_a_module_reaches_the_services_of_the_modules_it_depends_on(
    settings: Settings,
) -> None:
    container = build_container(settings, modules=[*default_modules(), GREETER, SHOUTER])
    try:
        assert container.service(ShoutService).shout() == "HELLO"
        assert container.service(GreetingService).greeting == "hello"
    finally:
        await container.close()


@pytest.mark.backends("sqlite")
async def test_asking_for_a_service_no_module_registers_names_it(container: Container) -> None:
    with pytest.raises(LookupError, match="GreetingService"):
        container.service(GreetingService)


@pytest.mark.backends("sqlite")
async def test_two_modules_cannot_register_the_same_service(settings: Settings) -> None:
    twin = ModuleDescriptor(
        slug="twin", name="Twin", version="1", services=(lambda c: GreetingService("hi"),)
    )
    with pytest.raises(ValueError, match="two modules register a GreetingService"):
        build_container(settings, modules=[*default_modules(), GREETER, twin])
