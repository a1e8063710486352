"""The product catalog (`commerce.catalog`): products, translations, options, variants with their
base prices, images, collections and categories."""
