"""Orders (`commerce.orders`): checkout, type-state orders, payments and their webhooks."""
