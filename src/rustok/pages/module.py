"""The pages module's descriptor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustok.content.service import NodeService
from rustok.core.modules import ModuleDescriptor
from rustok.core.permissions import CRUDL, grants
from rustok.pages.permissions import MENUS, PAGES
from rustok.pages.service import MenuService, PageService
from rustok.pages.settings import PagesSettings
from rustok.rbac.policy import MANAGER

if TYPE_CHECKING:
    from rustok.bootstrap import Container


def _pages(container: Container) -> PageService:
    return PageService(
        container.uow, container.service(NodeService), container.settings_of(PagesSettings)
    )


def _menus(container: Container) -> MenuService:
    return MenuService(
        container.uow, container.service(NodeService), container.settings_of(PagesSettings)
    )


MODULE = ModuleDescriptor(
    slug="pages",
    name="Pages",
    version="1.0.0",
    description="Pages with a template and ordered, typed blocks; menus of nested links.",
    dependencies=("content", "media"),
    resources=(PAGES, MENUS),
    grants={MANAGER: grants((PAGES, MENUS), CRUDL)},
    settings=PagesSettings,
    models=("rustok.pages.models",),
    events=("rustok.pages.events",),
    rest="rustok.pages.rest:router",
    graphql_part="rustok.pages.graphql:GRAPHQL",
    services=(_pages, _menus),
    demo_seed="rustok.pages.demo:seed",
)
