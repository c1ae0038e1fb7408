import { Controller, Get, Header, ServiceUnavailableException } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service.js';
import { ReadinessService } from './readiness.service.js';

@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly metrics: MetricsService,
  ) {}

  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    const checks = await this.readiness.check();
    if (!Object.values(checks).every(Boolean)) {
      throw new ServiceUnavailableException({ status: 'unavailable', checks });
    }
    return { status: 'ready', checks };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
