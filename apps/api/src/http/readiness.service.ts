import { Injectable } from '@nestjs/common';

export type ReadinessProbe = () => Promise<boolean>;

/** Dependencies the api needs to serve (storage, broker) register a probe here. */
@Injectable()
export class ReadinessService {
  private readonly probes = new Map<string, ReadinessProbe>();

  register(name: string, probe: ReadinessProbe): void {
    this.probes.set(name, probe);
  }

  async check(): Promise<Record<string, boolean>> {
    const entries = await Promise.all(
      [...this.probes].map(
        async ([name, probe]) => [name, await probe().catch(() => false)] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
}
