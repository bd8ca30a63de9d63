export { backlogAgeChart, histogramChart } from './bar.chart.js';
export type { ChartOptions, CountBucket, DayCounts, DayValue, LineChartOptions } from './chart.types.js';
export { lineChart, receivedVsDecidedChart } from './line.chart.js';
export { niceTicks } from './nice-ticks.util.js';
