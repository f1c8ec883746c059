/**
 * Money is integer kopiykas everywhere; rates are integer basis points (1 bp = 0.01 %).
 * Rounding is half-up on the exact integer product, so the same inputs give the same
 * kopiyka on every machine and in every replay.
 */
export function applyBasisPoints(amountKop: number, bp: number): number {
  if (!Number.isSafeInteger(amountKop) || !Number.isSafeInteger(bp)) {
    throw new RangeError(`applyBasisPoints needs integers, got ${amountKop} and ${bp}`);
  }
  const product = amountKop * bp;
  if (!Number.isSafeInteger(product)) throw new RangeError('amount too large for exact arithmetic');
  const sign = product < 0 ? -1 : 1;
  return sign * Math.floor((Math.abs(product) + 5000) / 10000);
}

export interface PricedLineInput {
  unitPriceKop: number;
  qty: number;
}

export interface PricedLine extends PricedLineInput {
  grossKop: number;
  discountKop: number;
  netKop: number;
}

/** Applies one discount rate line by line, so each line's discount is exact and auditable. */
export function priceLines(lines: readonly PricedLineInput[], discountBp: number): PricedLine[] {
  return lines.map((line) => {
    const grossKop = line.unitPriceKop * line.qty;
    const discountKop = applyBasisPoints(grossKop, discountBp);
    return { ...line, grossKop, discountKop, netKop: grossKop - discountKop };
  });
}

export interface ConsignorSaleShare {
  consignorId: number;
  netKop: number;
  commissionBp: number;
}

export interface SaleSplit {
  commissionKop: number;
  payables: { consignorId: number; amountKop: number }[];
}

/** Splits the goods revenue of a sale between the platform commission and each consignor's payable. */
export function splitSale(shares: readonly ConsignorSaleShare[]): SaleSplit {
  const byConsignor = new Map<number, { netKop: number; commissionKop: number }>();
  for (const share of shares) {
    const entry = byConsignor.get(share.consignorId) ?? { netKop: 0, commissionKop: 0 };
    entry.netKop += share.netKop;
    entry.commissionKop += applyBasisPoints(share.netKop, share.commissionBp);
    byConsignor.set(share.consignorId, entry);
  }
  const payables = [...byConsignor.entries()]
    .sort(([a], [b]) => a - b)
    .map(([consignorId, e]) => ({ consignorId, amountKop: e.netKop - e.commissionKop }));
  const commissionKop = [...byConsignor.values()].reduce((sum, e) => sum + e.commissionKop, 0);
  return { commissionKop, payables };
}

export function formatUah(kop: number): string {
  const sign = kop < 0 ? '-' : '';
  const abs = Math.abs(kop);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} грн`;
}
