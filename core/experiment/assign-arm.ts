import type { RouteConfig } from '../config/router-config.ts';
import { mixedHash32 } from '../util/fnv1a.ts';

/** The two arms of an experiment. */
export type Arm = 'control' | 'variant';

/**
 * Which arm a request is on. Sticky by tenant: a hash of the experiment's name and the tenant
 * places the tenant in [0, 1) once and for all, so its requests stay on one arm across requests,
 * pods and restarts (and a different experiment shuffles tenants afresh). Requests without a
 * tenant, and experiments sticky by request, use the draw (uniform in [0, 1)).
 */
export function assignArm(
  experiment: NonNullable<RouteConfig['experiment']>,
  tenant: string | undefined,
  draw: number,
): Arm {
  const point =
    experiment.stickyBy === 'tenant' && tenant !== undefined && tenant !== ''
      ? mixedHash32(`${experiment.name}\u0000${tenant}`) / 2 ** 32
      : draw;
  return point < experiment.percent / 100 ? 'variant' : 'control';
}
