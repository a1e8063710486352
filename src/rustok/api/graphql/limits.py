"""How much work a GraphQL document asks for, measured in time linear in its length.

A fragment is measured once and its figures are reused at every spread, and the walk stops at
the first figure past its limit. So a short document whose fragments spread each other several
times (24 levels of three spreads: 3^24 fields once expanded) is refused within its first few
levels, as fast as it is read, before any rule that expands fragments per use runs on it.

A field that reads the database costs `io_field_cost` once: the platform batches such fields of
a page (DataLoaders). A field that reads once per parent (`PER_PARENT`: a page of a post's
comments) costs that for every item of the list it sits in, `first` of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SchemaMetaFieldDef,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
    VariableNode,
    get_named_type,
)

from rustok.core.cursor import MAX_LIMIT
from rustok.web.graphql import PER_PARENT

if TYPE_CHECKING:
    from graphql import (
        DocumentNode,
        GraphQLField,
        GraphQLNamedType,
        GraphQLSchema,
        SelectionSetNode,
    )

    from rustok.core.settings import Settings


@dataclass(frozen=True, slots=True)
class Limits:
    """The most a document may ask for; `Settings.graphql_*` hold the configured values."""

    max_depth: int
    max_fields: int
    max_aliases: int
    max_repeats: int
    max_cost: int
    io_field_cost: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            max_depth=settings.graphql_max_depth,
            max_fields=settings.graphql_max_fields,
            max_aliases=settings.graphql_max_aliases,
            max_repeats=settings.graphql_max_repeated_fields,
            max_cost=settings.graphql_max_cost,
            io_field_cost=settings.graphql_io_field_cost,
        )


# Response name -> (times it is selected, its selections merged): how graphql-core sees a
# selection set once fragments are inlined and same-named fields merged. Never mutated once
# built, so fragments share theirs.
Tree = dict[str, "tuple[int, Tree]"]


@dataclass(frozen=True, slots=True)
class Shape:
    """The figures of a selection set with every fragment expanded in place."""

    fields: int
    aliases: int
    cost: int
    depth: int
    tree: Tree
    per_item: int = 0
    """The part of `cost` paid again for every item of the list the selection sits in."""


_EMPTY = Shape(0, 0, 0, 0, {})


@dataclass(frozen=True, slots=True)
class FieldCosts:
    """`Type.field` names of the fields that read the database, and of those among them that
    read once per parent object instead of once per page."""

    io: frozenset[str]
    per_parent: frozenset[str]


# Fields every type answers without declaring them.
_META_FIELDS = {
    "__schema": SchemaMetaFieldDef,
    "__type": TypeMetaFieldDef,
    "__typename": TypeNameMetaFieldDef,
}


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    message: str


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        self.refusal = refusal


def _merged(first: Tree, second: Tree) -> tuple[Tree, int]:
    """Both trees as one, and the most times one response name is selected where they meet."""
    if not first:
        return second, 0
    if not second:
        return first, 0
    out = dict(first)
    most = 0
    for key, (count, children) in second.items():
        if key in out:
            seen, known = out[key]
            merged, deeper = _merged(known, children)
            out[key] = (seen + count, merged)
            most = max(most, seen + count, deeper)
        else:
            out[key] = (count, children)
    return out, most


class _Measure:
    """One walk over a document; fragments are measured once, cycles contribute nothing.

    A cycle is left to graphql-core's NoFragmentCycles rule, which runs after this one and
    names the fragments; here it only must not recurse forever. Every figure is checked as soon
    as it grows, so the walk stops within the limits' reach of where a document goes too far:
    its cost is bounded by the document's length and the limits, however fragments multiply.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        costs: FieldCosts,
        limits: Limits,
        variables: dict[str, object],
    ) -> None:
        self.schema = schema
        self.costs = costs
        self.limits = limits
        self.variables = variables
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.measured: dict[str, Shape] = {}
        self.in_progress: set[str] = set()

    def operation(self, operation: OperationDefinitionNode) -> Shape:
        root = {
            OperationType.QUERY: self.schema.query_type,
            OperationType.MUTATION: self.schema.mutation_type,
            OperationType.SUBSCRIPTION: self.schema.subscription_type,
        }[operation.operation]
        return self.selections(operation.selection_set, root)

    def fragment(self, name: str) -> Shape | None:
        if name in self.measured:
            return self.measured[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:
            return None  # unknown or cyclic: graphql-core's rules refuse the document
        self.in_progress.add(name)
        shape = self.selections(
            definition.selection_set, self.schema.get_type(definition.type_condition.name.value)
        )
        self.in_progress.discard(name)
        self.measured[name] = shape
        return shape

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None) -> Shape:
        fields = aliases = cost = depth = per_item = 0
        tree: Tree = {}
        for selection in selection_set.selections:
            inner: Shape | None
            if isinstance(selection, FieldNode):
                inner = self.field(selection, parent)
                key = (selection.alias or selection.name).value
                part: Tree = {key: (1, inner.tree)}
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.selections(
                    selection.selection_set,
                    self.schema.get_type(condition.name.value) if condition else parent,
                )
                part = inner.tree
            else:
                assert isinstance(selection, FragmentSpreadNode)
                inner = self.fragment(selection.name.value)
                if inner is None:
                    continue
                part = inner.tree
            tree, repeats = _merged(tree, part)
            fields += inner.fields
            aliases += inner.aliases
            cost += inner.cost
            per_item += inner.per_item
            depth = max(depth, inner.depth)
            self.check(Shape(fields, aliases, cost, depth, tree), repeats)
        return Shape(fields, aliases, cost, depth, tree, per_item)

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> Shape:
        name = node.name.value
        definition = _META_FIELDS.get(name)
        if definition is None and isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(name)
        inner = _EMPTY
        if node.selection_set is not None:
            child = get_named_type(definition.type) if definition is not None else None
            inner = self.selections(node.selection_set, child)
        # A resolver that awaits reads the database or a cache; an object is built from what
        # its parent loaded; a scalar is free.
        qualified = f"{parent.name}.{name}" if parent is not None else ""
        if qualified in self.costs.io:
            weight = self.limits.io_field_cost
        else:
            weight = 1 if node.selection_set is not None else 0
        # A list of `first` items pays again, per item, what its items read once each.
        items = self.page_size(node, definition)
        cost = weight + inner.cost + inner.per_item * (items - 1)
        if qualified in self.costs.per_parent:
            per_item = cost
        else:
            per_item = 0 if items > 1 else inner.per_item
        # Introspection is not counted in depth: graphql-core's MaxIntrospectionDepthRule
        # bounds it, and GraphiQL's own introspection query nests 14 levels.
        introspection = name.startswith("__") or (
            parent is not None and parent.name.startswith("__")
        )
        return Shape(
            fields=1 + inner.fields,
            aliases=inner.aliases + (1 if node.alias else 0),
            cost=cost,
            depth=0 if introspection else 1 + inner.depth,
            tree=inner.tree,
            per_item=per_item,
        )

    def page_size(self, node: FieldNode, definition: GraphQLField | None) -> int:
        """How many items a field with a `first` argument may answer (as its resolver clamps
        it); 1 for any other field. A variable counts with its value, an unknown one as the
        most a page holds."""
        if definition is None or "first" not in definition.args:
            return 1
        asked: object = definition.args["first"].default_value
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                asked = int(value.value)
            elif isinstance(value, VariableNode):
                asked = self.variables.get(value.name.value, MAX_LIMIT)
            else:
                asked = MAX_LIMIT
        if not isinstance(asked, int) or isinstance(asked, bool):
            return MAX_LIMIT
        return max(1, min(asked, MAX_LIMIT))

    def check(self, shape: Shape, repeats: int = 0) -> None:
        found = refusal(shape, repeats, self.limits)
        if found is not None:
            raise _Refused(found)


def check(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    costs: FieldCosts,
    limits: Limits,
    variables: dict[str, object] | None = None,
) -> Refusal | None:
    """Why the document is refused, or None when it is within every limit.

    Its figures are its operations added up, each fragment no operation spreads added as if one
    did (graphql-core validates those too).
    """
    walk = _Measure(schema, document, costs, limits, variables or {})
    fields = aliases = cost = 0
    try:
        shapes = [
            walk.operation(definition)
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)
        ]
        spread = set(walk.measured)
        shapes += [
            shape
            for name in walk.fragments
            if name not in spread and (shape := walk.fragment(name)) is not None
        ]
        for shape in shapes:
            fields += shape.fields
            aliases += shape.aliases
            cost += shape.cost
            walk.check(Shape(fields, aliases, cost, shape.depth, {}))
    except _Refused as refused:
        return refused.refusal
    except RecursionError:
        # A chain of a few hundred fragments, each spreading the next: deeper than the
        # interpreter's stack, far deeper than any client writes.
        return Refusal("QUERY_TOO_DEEP", "The query's fragments spread each other too deeply.")
    return None


def refusal(shape: Shape, repeats: int, limits: Limits) -> Refusal | None:
    """Why a document of this shape is refused, or None when it is within every limit.

    The walk stops at the first figure past its limit, so a message says "more than".
    """
    if shape.depth > limits.max_depth:
        return Refusal(
            "QUERY_TOO_DEEP", f"The query nests fields more than {limits.max_depth} levels deep."
        )
    if shape.fields > limits.max_fields:
        return Refusal(
            "QUERY_TOO_LARGE",
            f"The query selects more than {limits.max_fields} fields once its fragments are "
            "expanded.",
        )
    if shape.aliases > limits.max_aliases:
        return Refusal(
            "TOO_MANY_ALIASES",
            f"The query uses more than {limits.max_aliases} aliases once its fragments are "
            "expanded.",
        )
    if repeats > limits.max_repeats:
        return Refusal(
            "QUERY_TOO_COMPLEX",
            f"The query selects one field more than {limits.max_repeats} times in one place "
            "(fragments and same-named fields merged).",
        )
    if shape.cost > limits.max_cost:
        return Refusal(
            "QUERY_TOO_COMPLEX",
            f"The query costs more than {limits.max_cost} (an object 1, a field that reads the "
            f"database {limits.io_field_cost}, once per item of its list where it reads per "
            "item); ask for smaller pages.",
        )
    return None


def field_costs(schema: GraphQLSchema) -> FieldCosts:
    """The fields whose resolver awaits (it reads the database or a cache), and those of them
    declared `PER_PARENT`."""
    from strawberry.schema.schema_converter import GraphQLCoreConverter
    from strawberry.types.field import StrawberryField

    io: set[str] = set()
    per_parent: set[str] = set()
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for name, definition in type_.fields.items():
            origin = (definition.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if isinstance(origin, StrawberryField) and origin.is_async:
                io.add(f"{type_.name}.{name}")
                if origin.metadata.get(PER_PARENT):
                    per_parent.add(f"{type_.name}.{name}")
    return FieldCosts(frozenset(io), frozenset(per_parent))
