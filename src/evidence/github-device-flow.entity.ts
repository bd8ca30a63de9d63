import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DateTimeColumn } from '../database/columns.js';

/**
 * What a running linked-identity check needs between the requester's checks. The device code lets its
 * holder fetch the access token once the requester approves, so it is sealed under SECRET_KEY; the row
 * is deleted as soon as the flow ends, however it ends.
 */
@Entity('github_device_flows')
export class GitHubDeviceFlow {
  @PrimaryColumn({ name: 'challenge_id', type: 'varchar', length: 36 })
  challengeId: string;

  @Column({ name: 'device_code_sealed', type: 'varchar', length: 400 })
  deviceCodeSealed: string;

  /** GitHub's polling interval, raised by every `slow_down`. */
  @Column({ name: 'interval_seconds', type: 'integer', default: 5 })
  intervalSeconds: number;

  /** GitHub is not asked again before this: one poll per interval, however often the requester presses. */
  @DateTimeColumn({ name: 'next_poll_at' })
  nextPollAt: Date;
}
