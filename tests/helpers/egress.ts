import { egressPolicy } from '@switchboard/server';

/** The suite's fake providers listen on 127.0.0.1: the one exception its servers make to the egress policy. */
export const FAKES_EGRESS_ALLOW = '127.0.0.1';

export const fakesEgress = egressPolicy([FAKES_EGRESS_ALLOW]);
