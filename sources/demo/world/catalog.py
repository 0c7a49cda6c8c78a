"""What the demo shop sells: SKUs, names and list prices."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True, frozen=True)
class Product:
    sku: str
    name: str
    price: float


CATALOG: tuple[Product, ...] = (
    Product("SKU-10101", "Merino Crew Sweater", 89.00),
    Product("SKU-10102", "Organic Cotton Tee", 24.00),
    Product("SKU-10103", "Waxed Canvas Jacket", 229.00),
    Product("SKU-10104", "Trail Running Shoes", 139.00),
    Product("SKU-10105", "Wool Beanie", 19.50),
    Product("SKU-10106", "Leather Belt", 45.00),
    Product("SKU-10107", "Down Parka", 349.00),
    Product("SKU-10108", "Linen Shirt", 68.00),
    Product("SKU-10109", "Chino Trousers", 79.00),
    Product("SKU-10110", "Rain Shell", 159.00),
    Product("SKU-10111", "Hiking Socks (3-pack)", 21.00),
    Product("SKU-10112", "Insulated Water Bottle", 32.00),
    Product("SKU-10113", "Canvas Tote", 28.00),
    Product("SKU-10114", "Cashmere Scarf", 119.00),
    Product("SKU-10115", "Denim Jeans", 98.00),
    Product("SKU-10116", "Flannel Shirt", 59.00),
    Product("SKU-10117", "Leather Boots", 249.00),
    Product("SKU-10118", "Fleece Pullover", 74.00),
    Product("SKU-10119", "Travel Backpack", 189.00),
    Product("SKU-10120", "Sunglasses", 129.00),
    Product("SKU-10121", "Gift Card", 50.00),
    Product("SKU-10122", "Yoga Mat", 42.00),
    Product("SKU-10123", "Camp Mug", 14.00),
    Product("SKU-10124", "Down Vest", 169.00),
)

PREMIUM: tuple[Product, ...] = tuple(product for product in CATALOG if product.price >= 89)
"""What a champion buys."""
