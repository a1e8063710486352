"""commerce.cart: carts of guests and customers, their lines priced by pricing, their expiry."""
