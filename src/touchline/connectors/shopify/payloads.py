"""Shopify's order, checkout and refund objects (webhook bodies and Admin REST answers) as
typed models: ids may be numbers, prices arrive as strings ("199.00") and become Decimal,
fields we do not read are ignored."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict


def _aware(value: datetime) -> datetime:
    """Shopify sends offsets; a bare time is read as UTC rather than refused."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _attributes(value: Any) -> Any:
    """Checkouts sometimes carry attributes as an object instead of a name/value list."""
    if isinstance(value, dict):
        return [{"name": name, "value": item} for name, item in value.items()]
    return value if value is not None else []


Moment = Annotated[datetime, AfterValidator(_aware)]


class ShopifyModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True)


class Attribute(ShopifyModel):
    """A cart attribute or note attribute (`note_attributes`): what the storefront passed."""

    name: str = ""
    value: str | None = None


Attributes = Annotated[list[Attribute], BeforeValidator(_attributes)]


class Customer(ShopifyModel):
    id: str | None = None
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class Address(ShopifyModel):
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None


class LineItem(ShopifyModel):
    product_id: str | None = None
    variant_id: str | None = None
    title: str = ""
    sku: str | None = None
    quantity: int = 0
    price: Decimal | None = None


class Transaction(ShopifyModel):
    id: str | None = None
    kind: str = ""
    status: str = ""
    amount: Decimal = Decimal(0)
    currency: str = ""
    test: bool = False


class Refund(ShopifyModel):
    id: str
    order_id: str
    created_at: Moment
    processed_at: Moment | None = None
    transactions: list[Transaction] = []


class Order(ShopifyModel):
    id: str
    name: str = ""
    email: str | None = None
    contact_email: str | None = None
    phone: str | None = None
    created_at: Moment
    updated_at: Moment | None = None
    processed_at: Moment | None = None
    currency: str = ""
    presentment_currency: str | None = None
    total_price: Decimal = Decimal(0)
    total_outstanding: Decimal | None = None
    financial_status: str | None = None
    checkout_token: str | None = None
    cart_token: str | None = None
    landing_site: str | None = None
    referring_site: str | None = None
    source_name: str | None = None
    note_attributes: Attributes = []
    customer: Customer | None = None
    billing_address: Address | None = None
    line_items: list[LineItem] = []
    refunds: list[Refund] = []
    test: bool = False


class Checkout(ShopifyModel):
    token: str
    cart_token: str | None = None
    email: str | None = None
    phone: str | None = None
    created_at: Moment
    currency: str = ""
    presentment_currency: str | None = None
    total_price: Decimal | None = None
    subtotal_price: Decimal | None = None
    landing_site: str | None = None
    referring_site: str | None = None
    note_attributes: Attributes = []
    customer: Customer | None = None
    billing_address: Address | None = None
    line_items: list[LineItem] = []
