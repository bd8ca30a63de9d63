import { readCalibrationFile } from './calibration-file.js';

const table = (rows: unknown[]) => JSON.stringify({ table: 'calibration', from: '2026-11-01', to: '2026-11-30', rows });
const ROW = {
  rule_version: '2026.12.3',
  decided: 400,
  basis: 'calibrated',
  calibration_version: 7,
  calibration_outcomes: 400,
  intercept: 0.25,
  slope: 0.12,
  center: 20,
};

describe('readCalibrationFile', () => {
  it("takes the curve of the CLI's rules from the report's calibration download", () => {
    const result = readCalibrationFile(table([{ ...ROW, rule_version: '2026.12.1', slope: 0.5 }, ROW]), '2026.12.3');
    expect(result).toEqual({
      ok: true,
      curve: { method: 'logistic', intercept: 0.25, slope: 0.12, center: 20 },
      description: 'calibration version 7 (400 decided tickets, rules 2026.12.3)',
    });
  });

  it('says when the desk itself still uses the prior', () => {
    const result = readCalibrationFile(table([{ ...ROW, basis: 'prior', slope: 1 / 16 }]), '2026.12.3');
    expect(result).toMatchObject({ ok: true, curve: { method: 'prior' }, description: "the desk's prior for rules 2026.12.3 (too few decided tickets)" });
  });

  it('refuses what is not the table, a table without the rules, and a row without a usable curve, saying why', () => {
    expect(readCalibrationFile('{', '2026.12.3')).toMatchObject({ ok: false, message: expect.stringContaining('not JSON') });
    expect(readCalibrationFile(JSON.stringify({ table: 'sla', rows: [] }), '2026.12.3')).toMatchObject({
      ok: false,
      message: expect.stringContaining('not the calibration table'),
    });
    expect(readCalibrationFile(table([ROW]), '2027.1.1')).toEqual({ ok: false, message: 'no row for rules 2027.1.1, the rules this CLI scores with' });
    for (const bad of [{ slope: -0.1 }, { intercept: null }, { center: '20' }]) {
      expect(readCalibrationFile(table([{ ...ROW, ...bad }]), '2026.12.3')).toMatchObject({ ok: false, message: expect.stringContaining('no usable') });
    }
  });
});
