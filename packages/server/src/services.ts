import type { Kysely } from 'kysely';
import type { DB } from './store/schema.js';
import { agentService } from './deployments/agents.js';
import { deploymentChannelService } from './deployments/deployment-channels.js';
import { deploymentConfigurationService } from './deployments/deployment-configurations.js';
import { phoneConfigurationService } from './deployments/phone-configurations.js';

export function createServices(db: Kysely<DB>) {
  return {
    deploymentChannels: deploymentChannelService(db),
    phoneConfigurations: phoneConfigurationService(db),
    agents: agentService(db),
    deploymentConfigurations: deploymentConfigurationService(db),
  };
}
export type Services = ReturnType<typeof createServices>;
