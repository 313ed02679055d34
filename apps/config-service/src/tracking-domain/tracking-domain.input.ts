import { Field, InputType } from 'type-graphql';
import { badInput } from '@snaptrack/util-federation';
import { isLoopbackHost } from './dns-verifier';

@InputType('CreateTrackingDomainInput')
export class CreateTrackingDomainInput {
  @Field({ description: 'A hostname you control, CNAMEd to the tracking host, e.g. trk.example.com' }) hostname: string;
  @Field(() => Boolean, { nullable: true, description: "Make it the account's default (the first domain always is)" })
  isDefault?: boolean | null;
}

@InputType('UpdateTrackingDomainInput')
export class UpdateTrackingDomainInput {
  @Field(() => String, { nullable: true }) hostname?: string | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'true makes it the default; to change the default, set another domain',
  })
  isDefault?: boolean | null;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A DNS hostname (no scheme, port, path or IP address); returns it lowercase without a trailing dot. The loopback
 * names `localhost`, `127.0.0.1` and `::1` are accepted here; the service allows them only in development.
 */
export function hostname(raw: string | null | undefined): string {
  const v = (raw ?? '').trim().toLowerCase().replace(/\.$/, '');
  const loopback = v === '[::1]' ? '::1' : v;
  if (isLoopbackHost(loopback)) return loopback;
  const problem = hostnameProblem(v);
  if (problem)
    throw badInput(
      `Tracking domain "${String(raw ?? '')
        .trim()
        .slice(0, 80)}" is not a valid hostname: ${problem}`,
      'hostname',
    );
  return v;
}

function hostnameProblem(v: string): string | null {
  if (!v) return 'it must not be empty';
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(v)) return 'enter the hostname only, without http:// or https://';
  if (/[/?#:@\s]/.test(v)) return 'enter the hostname only, without a port, path or spaces';
  if (v.length > 253) return 'it must be at most 253 characters';
  const labels = v.split('.');
  if (labels.length < 2) return 'it needs at least two labels, such as trk.example.com';
  if (!labels.every((l) => LABEL.test(l)))
    return 'each label may use letters, digits and inner hyphens (1-63 characters)';
  if (!/^[a-z][a-z0-9-]*[a-z0-9]$/.test(labels[labels.length - 1]) || /^\d+$/.test(labels[labels.length - 1]))
    return 'it must end in a real top-level domain (IP addresses are not allowed)';
  return null;
}
