import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Roles } from '../auth/roles.guard.js';
import { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { parseReportRange } from './report-range.js';
import { isReportTable, tableCsv, tableJson } from './report-tables.js';
import { BREACHES_ON_PAGE, reportView } from './report-view.js';
import { ReportsService } from './reports.service.js';

/**
 * SLA and workload reports for ops (docs/reports.md): the page, and each of its tables as CSV and JSON with the
 * same query parameters (from, to, type, tz). A bad parameter is named in a 400; nothing is cached.
 */
@ApiExcludeController()
@Controller('reports')
@Roles('ops', 'admin')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async page(@Query() query: Record<string, unknown>, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    const staff = request.session.staff;
    const parsed = parseReportRange(query, this.clock.now(), this.config.reports.timeZone);
    if (!parsed.ok) {
      return reply.status(400).view('pages/error', { title: `Bad parameter: ${parsed.parameter}`, message: parsed.message, status: 400, staff });
    }
    // The page lists the first breaches only (the downloads have them all): no need to read the rest.
    const report = await this.reports.build(parsed.range, { breachesListed: BREACHES_ON_PAGE });
    return reply.view('pages/reports', { title: 'Reports', staff, ...reportView(report) });
  }

  /** `/reports/<table>.csv` or `.json`. */
  @Get(':file')
  async download(@Param('file') file: string, @Query() query: Record<string, unknown>, @Res() reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    const match = /^([a-z-]+)\.(csv|json)$/.exec(file);
    if (!match || !isReportTable(match[1])) {
      return reply.status(404).send({
        statusCode: 404,
        error: 'not_found',
        message: 'No such report table: try sla, daily, backlog, breaches, moderators, decision-times, calibration or reliability, with .csv or .json.',
      });
    }
    const [, table, format] = match;
    const parsed = parseReportRange(query, this.clock.now(), this.config.reports.timeZone);
    if (!parsed.ok) {
      return reply
        .status(400)
        .send({ statusCode: 400, error: 'validation_failed', message: parsed.message, errors: [{ field: parsed.parameter, reasons: [parsed.message] }] });
    }
    // Only the queries of this table run: a download of one table does not build the whole page.
    const data = await this.reports.table(parsed.range, table);
    const { from, to } = parsed.range;
    if (format === 'json') return reply.type('application/json; charset=utf-8').send(tableJson(data, table));
    return reply.type('text/csv; charset=utf-8').header('Content-Disposition', `attachment; filename="${table}-${from}-${to}.csv"`).send(tableCsv(data, table));
  }
}
