import type { Kysely } from 'kysely';
import type { DB } from './store/schema.js';
import { agentService } from './deployments/agents.js';
import { agentConfigurationService } from './deployments/agent-configurations.js';
import { deploymentChannelService } from './deployments/deployment-channels.js';
import { deploymentConfigurationService } from './deployments/deployment-configurations.js';
import { phoneConfigurationService } from './deployments/phone-configurations.js';
import { webDeploymentService } from './deployments/web-deployments.js';
import type { SecretBox } from './secrets/secret-box.js';
import type { EgressPolicy } from './egress/policy.js';

export interface ServiceOptions {
  /** The address browsers and providers reach this server at (embed snippets carry it). */
  publicUrl: string;
  /** Seals and opens stored secrets (agent API keys, webhook signing secrets). */
  secretBox: SecretBox;
  /** Which agent backend URLs may be saved. */
  egress: EgressPolicy;
}

export function createServices(db: Kysely<DB>, options: ServiceOptions) {
  return {
    deploymentChannels: deploymentChannelService(db),
    phoneConfigurations: phoneConfigurationService(db),
    agents: agentService(db, options.secretBox, options.egress),
    /** WIIL's agent and instruction configurations, both views of agents. */
    ...agentConfigurationService(db, options.secretBox, options.egress),
    deploymentConfigurations: deploymentConfigurationService(db),
    webDeployments: webDeploymentService(db, options.publicUrl),
  };
}
export type Services = ReturnType<typeof createServices>;
