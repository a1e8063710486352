"""Commerce: the shop half of the platform, one module per part (catalog, pricing; inventory,
cart and orders build on them). Inside commerce: orders > cart > pricing | inventory > catalog."""
