"""Errors of orders, checkout and payments; each code is stable for clients."""

from __future__ import annotations

from rustok.core.errors import BadRequest, Conflict, Invalid, NotFound, Unauthenticated


class OrderNotFound(NotFound):
    code = "ORDER_NOT_FOUND"


class OrderTransitionInvalid(Conflict):
    """The order's stored state has no such transition (paying a cancelled order)."""

    code = "ORDER_TRANSITION_INVALID"


class OrderStale(Conflict):
    """Another request moved the order between reading and saving it; read it again."""

    code = "VERSION_CONFLICT"


class CartPricesChanged(Conflict):
    """A line's price changed since it was added; checkout again with `accept_price_changes`."""

    code = "CART_PRICES_CHANGED"


class RefundExceedsPaid(Invalid):
    code = "REFUND_EXCEEDS_PAID"


class PaymentAmountMismatch(Invalid):
    """A payment must settle the order's total exactly."""

    code = "PAYMENT_AMOUNT_MISMATCH"


class RestockNeedsFullRefund(Invalid):
    code = "RESTOCK_NEEDS_FULL_REFUND"


class PaymentProviderNotFound(NotFound):
    code = "PAYMENT_PROVIDER_NOT_FOUND"


class WebhookSignatureInvalid(Unauthenticated):
    """The signature header is missing, malformed, of another secret, or too old (replay)."""

    code = "WEBHOOK_SIGNATURE_INVALID"


class WebhookPayloadInvalid(BadRequest):
    code = "WEBHOOK_PAYLOAD_INVALID"
