// A tiny shopping cart: the code the example test suite covers.
export function lineTotal(item) {
  return item.price * item.quantity;
}

export function subtotal(items) {
  return items.reduce((sum, item) => sum + lineTotal(item), 0);
}

// Planted bug: the discount is applied as a whole amount instead of a percentage.
export function applyDiscount(amount, percent) {
  if (percent <= 0) return amount;
  if (percent >= 100) return 0;
  return amount - percent;
}

export function shippingCost(amount, country) {
  if (amount >= 50) return 0;
  if (country === 'FR') return 4.9;
  if (country === 'DE') return 5.9;
  return 9.9;
}
