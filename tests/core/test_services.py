"""Modules register their services through the descriptor; the container hands them out by type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from pydantic import BaseModel, ConfigDict, Field

from rustok.bootstrap import build_container, default_modules
from rustok.core.modules import ModuleDescriptor
from rustok.core.settings import SettingsError, load_settings

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


class GreeterSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    greeting: str = "hello"
    volume: int = Field(default=1, ge=1, le=11)


CONFIGURED = ModuleDescriptor(
    slug="shop.greeter",
    name="Configured greeter",
    version="1",
    settings=GreeterSettings,
    services=(lambda c: GreetingService(c.settings_of(GreeterSettings).greeting),),
)


@pytest.mark.backends("sqlite")
async def test_a_module_reads_its_own_settings_with_their_defaults(settings: Settings) -> None:
    for given, expected in (({}, "hello"), ({"shop_greeter": {"greeting": "moin"}}, "moin")):
        container = build_container(
            settings.model_copy(update={"modules": given}),
            modules=[*default_modules(), CONFIGURED],
        )
        try:
            assert container.service(GreetingService).greeting == expected
            assert container.settings_of(GreeterSettings).volume == 1
        finally:
            await container.close()


def test_module_settings_come_from_nested_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RUSTOK_MODULES__SHOP_GREETER__VOLUME", "11")

    assert load_settings().modules == {"shop_greeter": {"volume": "11"}}


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize(
    ("modules", "message"),
    [
        ({"shop_greeter": {"volume": "12"}}, "RUSTOK_MODULES__SHOP_GREETER__VOLUME: Input should"),
        ({"shop_greeter": {"colour": "red"}}, "RUSTOK_MODULES__SHOP_GREETER__COLOUR"),
        ({"shop_greter": {"volume": "2"}}, "RUSTOK_MODULES__SHOP_GRETER: no module"),
    ],
)
def test_bad_module_settings_name_the_variable(
    settings: Settings, modules: dict[str, dict[str, object]], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        build_container(
            settings.model_copy(update={"modules": modules}),
            modules=[*default_modules(), CONFIGURED],
        )
