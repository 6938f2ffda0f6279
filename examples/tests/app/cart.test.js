import { describe, expect, test } from 'vitest';
import { applyDiscount, lineTotal, shippingCost, subtotal } from './cart.js';

describe('cart', () => {
  test('totals one line', () => {
    expect(lineTotal({ price: 2.5, quantity: 4 })).toBe(10);
  });

  test('adds lines up', () => {
    expect(subtotal([{ price: 1, quantity: 2 }, { price: 3, quantity: 1 }])).toBe(5);
  });

  test('ships free from 50', () => {
    expect(shippingCost(50, 'FR')).toBe(0);
  });

  test('charges shipping to France below 50', () => {
    expect(shippingCost(20, 'FR')).toBe(4.9);
  });

  // The planted failure: applyDiscount subtracts 10 instead of 10%.
  test('applies a 10% discount', () => {
    expect(applyDiscount(200, 10)).toBe(180);
  });

  test('a 100% discount makes it free', () => {
    expect(applyDiscount(80, 100)).toBe(0);
  });
});
