import { ClickColumns } from '@snaptrack/data-access-clicks';
import { Column, Entity } from 'typeorm';

/** One click as campaign-service recorded it (view of click.recorded.v1). Written only by the click consumer. */
@Entity({ name: 'click_view' })
export class ClickView extends ClickColumns {
  /** Snapchat's `_scid` cookie recorded with the click (direct clicks through /track.js), sent raw as sc_cookie1. */
  @Column({ name: 'sc_cookie1', type: 'text', nullable: true }) scCookie1?: string | null;
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt: Date;
}
