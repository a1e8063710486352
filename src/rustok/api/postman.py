"""A Postman collection (v2.1) generated from the OpenAPI document, that runs green on the demo.

Every REST operation becomes one request, with the operation's id as the item's `id`, built
from the document alone: the path and body from the examples, `X-Tenant-ID: {{tenant}}` where
the path needs a tenant, `Authorization: Bearer {{token}}` where the operation declares the
bearer scheme. Every request tests its status and content type, so `newman run` fails on any
answer the contract does not promise.

The requests run in one sequence against a freshly seeded demo (`make contract`):

- "Log in" comes first and stores the access token in `{{token}}`;
- creations come before reads, updates and actions, deletions after them, and what ends the
  session (`SESSION_ENDING`) last;
- a `201` creation on a collection path stores the new `id` into the variable named by the
  path parameter below it (`POST /admin/roles` -> `{{role_id}}` of `/admin/roles/{role_id}`);
- a few requests (`RUN_LATE`) come after the others of the rank it names, in its order, where
  one resource must wait for another (a forum category is deleted after its topic);
- a path parameter that nothing in the run creates (neither a creation nor a `PUT` of that
  path) names nothing in a fresh demo: that request expects `404`, which it must document.

What the document cannot say (credentials, tokens, the user a sign-up created, the files an
upload sends) is in the small tables below.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rustok.api.openapi import rest_operations
from rustok.api.rest.paths import needs_tenant

COLLECTION_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
LOGIN = "auth_login"
# They end the caller's session or change its password: whatever runs after them gets a 401.
SESSION_ENDING = ("auth_revoke_all_sessions", "auth_change_password", "auth_logout")
# Collection variables stored from a response: variable -> dotted path in the JSON body.
_TOKENS = {"token": "access_token", "refresh_token": "refresh_token"}
CAPTURES: dict[str, dict[str, str]] = {
    LOGIN: _TOKENS,
    "auth_refresh": _TOKENS,
    "auth_register": {"user_id": "user.id"},
    "content_create_node": {"node_slug": "slug"},
    "blog_create_post": {"post_slug": "slug"},
    "commerce_inventory_adjust_variant_inventory": {"default_location_id": "levels.0.location_id"},
    "commerce_catalog_create_product": {"variant_id": "variants.0.id"},
    "pages_create_page": {
        "page_slug": "slug",
        "block_id": "blocks.0.id",
        "second_block_id": "blocks.1.id",
    },
}
# Body fields that must carry a collection variable instead of the document's example.
BODY_VARIABLES: dict[str, dict[str, object]] = {
    LOGIN: {"email": "{{email}}", "password": "{{password}}"},
    "auth_refresh": {"refresh_token": "{{refresh_token}}"},
    "auth_logout": {"refresh_token": "{{refresh_token}}"},
    "auth_change_password": {"current_password": "{{password}}"},
    "content_attach_tags": {"tag_ids": ["{{tag_id}}"]},
    "pages_reorder_blocks": {"block_ids": ["{{second_block_id}}", "{{block_id}}"]},
    "forum_create_topic": {"category_id": "{{forum_category_id}}"},
    "commerce_cart_add_cart_line": {"variant_id": "{{variant_id}}"},
    "commerce_inventory_check_inventory": {
        "lines": [{"variant_id": "{{variant_id}}", "quantity": 2}]
    },
    # The new location gets 25 units by `set`, and the transfer empties it into the default
    # one, so that deleting the location afterwards finds it holding no stock.
    "commerce_inventory_set_variant_inventory": {"location_id": "{{stock_location_id}}"},
    "commerce_inventory_transfer_inventory": {
        "variant_id": "{{variant_id}}",
        "from_location_id": "{{stock_location_id}}",
        "to_location_id": "{{default_location_id}}",
        "quantity": 25,
    },
    "blog_update_settings": {"guest_comments": True},
    "blog_update_post": {"comments_open": True},
    # The location created by the run stays a plain one (its example makes it the default).
    "commerce_inventory_update_stock_location": {"is_default": None},
}
# Requests that run late, in this order, after the others of the rank named (4: the actions,
# 5: the deletions): a topic takes its reply before it is locked, and a forum category is
# deleted once its topic is; stock is checked and moved once the actions have put some in; a
# cart's unknown line is removed (404) while the cart is open, then the cart is checked out,
# and only then does the product it sells leave the shop.
RUN_LATE: dict[str, int] = {
    "forum_lock_topic": 4,
    "commerce_inventory_check_inventory": 4,
    "commerce_inventory_transfer_inventory": 4,
    "commerce_cart_remove_cart_line": 4,
    "commerce_orders_checkout": 4,
    "commerce_catalog_publish_product": 4,
    "commerce_catalog_unpublish_product": 4,
    "commerce_catalog_archive_product": 4,
    "forum_delete_category": 5,
}
# Files a multipart request uploads, by operation and part: newman reads them from its working
# directory (the repository's root in `make contract`).
UPLOADS: dict[str, dict[str, str]] = {
    "media_upload_media": {"file": "contract/fixtures/pixel.png"},
}
_PARAMETER = re.compile(r"\{([^}]+)\}")
# Creations first, deletions last; between them what reads, replaces, changes, acts.
_METHOD_RANK = {"get": 1, "put": 2, "patch": 3, "post": 4, "delete": 5}


def build_collection(
    document: dict[str, Any], *, base_url: str, tenant: str, email: str, password: str
) -> dict[str, Any]:
    """The collection of every REST operation of `document`, in an order that runs green."""
    operations = rest_operations(document)
    captured = _creations(operations)
    upserted = {path for path, method, _ in operations if method == "put"}
    ordered = sorted(operations, key=lambda item: _order(*item))
    known = set(captured.values()) | {name for names in CAPTURES.values() for name in names}
    return {
        "info": {
            "name": document["info"]["title"],
            "description": f"Generated from the OpenAPI document of version "
            f"{document['info']['version']} (`rustok openapi export --postman`).",
            "schema": COLLECTION_SCHEMA,
        },
        "variable": [
            {"key": key, "value": value, "type": "string"}
            for key, value in {
                "baseUrl": base_url,
                "tenant": tenant,
                "token": "",
                "email": email,
                "password": password,
            }.items()
        ],
        "item": [
            _item(path, method, operation, captured, known, upserted=path in upserted)
            for path, method, operation in ordered
        ],
    }


def _creations(operations: list[tuple[str, str, dict[str, Any]]]) -> dict[str, str]:
    """`{operationId: variable}` for each creation whose new id a path below it names."""
    found = {}
    for path, method, operation in operations:
        if method != "post" or "201" not in operation["responses"] or _PARAMETER.search(path):
            continue
        for other, _, _ in operations:
            below = _PARAMETER.match(other.removeprefix(path + "/"))
            if other.startswith(path + "/") and below is not None:
                found[operation["operationId"]] = below.group(1)
    return found


def _order(path: str, method: str, operation: dict[str, Any]) -> tuple[int, bool, str, str]:
    name = operation["operationId"]
    if name == LOGIN:
        return (-1, False, path, method)
    if name in SESSION_ENDING:
        return (len(_METHOD_RANK) + 1 + SESSION_ENDING.index(name), False, path, method)
    creation = method == "post" and not _PARAMETER.search(path)
    if name in RUN_LATE:
        return (RUN_LATE[name], True, f"{list(RUN_LATE).index(name):03d}", method)
    return (0 if creation else _METHOD_RANK[method], False, path, method)


def _item(
    path: str,
    method: str,
    operation: dict[str, Any],
    creations: dict[str, str],
    known: set[str],
    *,
    upserted: bool,
) -> dict[str, Any]:
    name = operation["operationId"]
    examples = {p["name"]: p["example"] for p in operation.get("parameters", [])}
    missing = False
    segments = []
    for segment in path.strip("/").split("/"):
        parameter = _PARAMETER.fullmatch(segment)
        if parameter is None:
            segments.append(segment)
        elif parameter.group(1) in known:
            segments.append(f"{{{{{parameter.group(1)}}}}}")
        else:
            # Named by its example: it exists only if this path's PUT creates it first.
            missing = missing or not upserted
            segments.append(str(examples[parameter.group(1)]))
    status = "404" if missing else min(s for s in operation["responses"] if s.startswith("2"))
    headers = []
    if needs_tenant(path):
        headers.append({"key": "X-Tenant-ID", "value": "{{tenant}}"})
    if "security" in operation:
        headers.append({"key": "Authorization", "value": "Bearer {{token}}"})
    # Required query parameters carry their examples (`?currency=EUR`); optional ones are left out.
    query = [
        {"key": p["name"], "value": str(p["example"])}
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    ]
    raw = "{{baseUrl}}/" + "/".join(segments)
    if query:
        raw += "?" + "&".join(f"{item['key']}={item['value']}" for item in query)
    url: dict[str, Any] = {"raw": raw, "host": ["{{baseUrl}}"], "path": segments}
    if query:
        url["query"] = query
    request: dict[str, Any] = {
        "method": method.upper(),
        "header": headers,
        "url": url,
        "description": operation["summary"],
    }
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None:
        headers.append({"key": "Content-Type", "value": "application/json"})
        request["body"] = {
            "mode": "raw",
            "raw": json.dumps({**body["example"], **BODY_VARIABLES.get(name, {})}, indent=2),
            "options": {"raw": {"language": "json"}},
        }
    if name in UPLOADS:
        request["body"] = {
            "mode": "formdata",
            "formdata": [
                {"key": part, "type": "file", "src": source}
                for part, source in UPLOADS[name].items()
            ],
        }
    captures = dict(CAPTURES.get(name, {}))
    if name in creations:
        captures[creations[name]] = "id"
    return {
        "id": name,
        "name": operation["summary"],
        "request": request,
        "event": [
            {
                "listen": "test",
                "script": {"type": "text/javascript", "exec": _tests(operation, status, captures)},
            }
        ],
    }


def _tests(operation: dict[str, Any], status: str, captures: dict[str, str]) -> list[str]:
    """The test script: the status, the content type, and the variables the run needs later."""
    content = operation["responses"][status].get("content", {})
    lines = [f'pm.test("status is {status}", () => pm.response.to.have.status({status}));']
    if content:
        media = next(iter(content)).split(";")[0]
        lines.append(
            f'pm.test("content type is {media}", () => '
            f'pm.expect(pm.response.headers.get("Content-Type") || "").to.include("{media}"));'
        )
    else:
        lines.append(
            'pm.test("no content type", () => '
            'pm.expect(pm.response.headers.has("Content-Type")).to.be.false);'
        )
    if captures:
        lines.append(f"if (pm.response.code === {status}) {{")
        lines.append("  const body = pm.response.json();")
        for variable, where in captures.items():
            access = "".join(f"[{json.dumps(key)}]" for key in where.split("."))
            lines.append(f'  pm.collectionVariables.set("{variable}", body{access});')
        lines.append("}")
    return lines
