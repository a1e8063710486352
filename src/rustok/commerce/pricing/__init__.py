"""Pricing (`commerce.pricing`): regions with tax, price lists with tiers, and the price
calculation."""
