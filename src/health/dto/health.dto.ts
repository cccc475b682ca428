/** Liveness: the process is up and answering HTTP. */
export class HealthDto {
  /** Always `ok`. */
  status: 'ok';
}
