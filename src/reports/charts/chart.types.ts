/** Options every chart takes; `id` must be unique on the page (it prefixes the title and desc ids). */
export interface ChartOptions {
  id: string;
  title: string;
  /** viewBox width in user units; the CSS scales the chart to its container. */
  width?: number;
  height?: number;
}

export interface DayCounts {
  /** UTC calendar day, YYYY-MM-DD. */
  day: string;
  received: number;
  decided: number;
}

export interface CountBucket {
  label: string;
  count: number;
}

export interface DayValue {
  /** UTC calendar day, YYYY-MM-DD. */
  day: string;
  value: number;
}

export interface LineChartOptions extends ChartOptions {
  /** Names the value in tooltips and the description, e.g. "Open tickets". */
  valueLabel?: string;
}
