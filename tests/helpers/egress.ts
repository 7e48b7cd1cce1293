import { egressPolicy } from '@switchboard/server';

/** The suite's fake providers listen on 127.0.0.1: the one place its servers may connect to. */
export const FAKES_EGRESS_ALLOW = '127.0.0.1';

/**
 * The same policy for servers the suite starts as processes: public addresses and host names are
 * refused when a connection is made (before DNS), while the example.com URLs tests save still pass.
 */
export const FAKES_EGRESS_ENV = { SWITCHBOARD_EGRESS_ALLOW: FAKES_EGRESS_ALLOW, SWITCHBOARD_EGRESS_ONLY_ALLOWED: 'true' };

export const fakesEgress = egressPolicy([FAKES_EGRESS_ALLOW], { connectOnlyToAllowed: true });
