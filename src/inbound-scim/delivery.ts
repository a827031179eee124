/**
 * Event delivery of the SCIM handler: change events (`onChanges` callback, `changes` event), provisioning
 * plans and safety stops, and unexpected errors (`onError`, `error` event). A failing callback or
 * listener is reported, never thrown back at the IdP.
 */
import type { EventEmitter } from 'node:events';
import type { ChangeEvent } from '../changes.js';
import type { OrgSnapshot } from '../model.js';
import type { SafetyAlert } from '../provisioning/types.js';
import type { InboundPlan, InboundProvisioningOptions } from './provisioning.js';

export interface ChangeInfo {
  tenant: string;
  previous: OrgSnapshot;
  current: OrgSnapshot;
}

type ErrorInfo = { tenant?: string; method?: string; path?: string };

export interface ScimHandlerEvents {
  changes: [events: ChangeEvent[], info: ChangeInfo];
  plan: [result: InboundPlan];
  safetyStop: [alert: SafetyAlert, result: InboundPlan];
  error: [error: unknown, info: ErrorInfo];
}

export interface DeliveryOptions {
  onChanges?: ((events: ChangeEvent[], info: ChangeInfo) => void | Promise<void>) | undefined;
  provisioning?: InboundProvisioningOptions | undefined;
  onError?: ((error: unknown, info: ErrorInfo) => void) | undefined;
}

export class Delivery {
  constructor(
    private readonly emitter: EventEmitter<ScimHandlerEvents>,
    private readonly options: DeliveryOptions,
  ) {}

  async changes(events: ChangeEvent[], info: ChangeInfo): Promise<void> {
    try {
      await this.options.onChanges?.(events, info);
    } catch (e) {
      this.reportError(e, { tenant: info.tenant });
    }
    this.safeEmit(() => this.emitter.emit('changes', events, info), info.tenant);
  }

  async plan(r: InboundPlan): Promise<void> {
    const p = this.options.provisioning;
    try {
      await p?.onPlan?.(r);
    } catch (e) {
      this.reportError(e, { tenant: r.tenant });
    }
    this.safeEmit(() => this.emitter.emit('plan', r), r.tenant);
    if (r.halted && r.safety.alert) {
      try {
        await p?.onSafetyStop?.(r.safety.alert, r);
      } catch (e) {
        this.reportError(e, { tenant: r.tenant });
      }
      this.safeEmit(() => this.emitter.emit('safetyStop', r.safety.alert!, r), r.tenant);
    }
  }

  private safeEmit(fn: () => void, tenant: string): void {
    try {
      fn();
    } catch (e) {
      this.reportError(e, { tenant });
    }
  }

  reportError(error: unknown, info: { [K in keyof ErrorInfo]?: string | undefined }): void {
    const clean = Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)) as ErrorInfo;
    try {
      this.options.onError?.(error, clean);
    } catch {
      // an error reporter that fails has nowhere left to report to
    }
    if (this.emitter.listenerCount('error') > 0) {
      try {
        this.emitter.emit('error', error, clean);
      } catch {
        // same
      }
    }
  }
}
