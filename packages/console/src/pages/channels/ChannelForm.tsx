import { useEffect, useState } from 'preact/hooks';
import { api, type Page } from '../../api.js';
import { Checkbox, FormError, SelectField, TextField, useSubmit } from '../../components/Form.js';
import { CHANNEL_TYPES, type Channel, type ChannelType, type Connection, type PhoneConfiguration } from '../../types.js';
import { IDENTIFIER, PHONE_TYPES, PROVIDER_TYPES } from './channel-types.js';

function initialValues(channel: Channel | null, type: ChannelType) {
  const configuration = channel?.configuration ?? {};
  return {
    channelIdentifier: channel?.channelIdentifier ?? '',
    channelName: channel?.channelName ?? '',
    phoneConfigurationId: configuration.phoneConfigurationId ?? '',
    communicationType: configuration.communicationType ?? 'unified',
    position: configuration.widgetConfiguration?.position ?? 'right',
    packageName: configuration.packageName ?? '',
    platform: configuration.platform ?? 'ios',
    connectionId: configuration.connectionId ?? '',
    phoneNumberId: configuration.phoneNumberId ?? '',
    agentId: configuration.agentId ?? '',
    fromName: configuration.fromName ?? '',
    type: type as string,
  } satisfies Record<string, string>;
}

type Values = ReturnType<typeof initialValues>;

function configurationOf(type: ChannelType, values: Values): Record<string, unknown> {
  if (PHONE_TYPES.includes(type)) return { phoneConfigurationId: values.phoneConfigurationId };
  if (type === 'web') return { communicationType: values.communicationType, widgetConfiguration: { position: values.position } };
  if (type === 'mobile-app') return { platform: values.platform, ...(values.packageName && { packageName: values.packageName }) };
  return {
    connectionId: values.connectionId,
    ...(type === 'whatsapp' && values.phoneNumberId && { phoneNumberId: values.phoneNumberId }),
    ...(type === 'wecom' && values.agentId && { agentId: values.agentId }),
    ...(type === 'email' && values.fromName && { fromName: values.fromName }),
  };
}

/** Create (channel null) or edit a channel; the API's rules decide, and its field errors show at the fields. */
export function ChannelForm(props: { channel: Channel | null; onSaved: (channel: Channel) => void; onCancel: () => void }) {
  const [type, setType] = useState<ChannelType>(props.channel?.deploymentType ?? 'web');
  const [values, setValues] = useState<Values>(() => initialValues(props.channel, type));
  const [recording, setRecording] = useState(props.channel?.recordingEnabled ?? true);
  const [phones, setPhones] = useState<PhoneConfiguration[]>([]);
  const [connections, setConnections] = useState<Connection[]>([]);
  const submit = useSubmit();
  const set = (name: keyof Values) => (value: string) => setValues((current) => ({ ...current, [name]: value }));
  const error = (name: string) => submit.fields[name];

  useEffect(() => {
    if (PHONE_TYPES.includes(type) && phones.length === 0) void api.get<Page<PhoneConfiguration>>('phone-configurations', { query: { pageSize: 100 } }).then((page) => setPhones(page.data), () => undefined);
    if (PROVIDER_TYPES.includes(type) && connections.length === 0) void api.get<Page<Connection>>('connections', { query: { pageSize: 100 } }).then((page) => setConnections(page.data), () => undefined);
  }, [type]);

  async function onSubmit(event: Event) {
    event.preventDefault();
    const body = {
      channelIdentifier: values.channelIdentifier,
      ...(values.channelName.trim() && { channelName: values.channelName.trim() }),
      recordingEnabled: recording,
      configuration: configurationOf(type, values),
    };
    const saved = await submit.run(() =>
      props.channel ? api.patch<Channel>(`deployment-channels/${props.channel.id}`, body) : api.post<Channel>('deployment-channels', { deploymentType: type, ...body }),
    );
    if (saved) props.onSaved(saved);
  }

  const identifier = IDENTIFIER[type];
  const shown = [
    'deploymentType',
    'channelIdentifier',
    'channelName',
    'recordingEnabled',
    'configuration.phoneConfigurationId',
    'configuration.communicationType',
    'configuration.widgetConfiguration.position',
    'configuration.packageName',
    'configuration.platform',
    'configuration.connectionId',
    'configuration.phoneNumberId',
    'configuration.agentId',
    'configuration.fromName',
  ];
  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError state={submit} shown={shown} />
      {props.channel ? (
        <p>
          Type: <strong>{type}</strong> (a channel's type cannot change)
        </p>
      ) : (
        <SelectField label="Type" name="deploymentType" value={type} options={CHANNEL_TYPES.map((t) => [t, t] as const)} onValue={(value) => setType(value as ChannelType)} error={error('deploymentType')} />
      )}
      <TextField label={identifier.label} name="channelIdentifier" value={values.channelIdentifier} onValue={set('channelIdentifier')} error={error('channelIdentifier')} hint={identifier.hint} placeholder={identifier.placeholder} />
      <TextField label="Name (optional)" name="channelName" value={values.channelName} onValue={set('channelName')} error={error('channelName')} />
      {PHONE_TYPES.includes(type) && (
        <SelectField
          label="Phone configuration"
          name="configuration.phoneConfigurationId"
          value={values.phoneConfigurationId}
          options={[['', 'Choose a number…'], ...phones.map((phone) => [phone.id, `${phone.phoneNumber}${phone.friendlyName ? ` (${phone.friendlyName})` : ''}`] as const)]}
          onValue={set('phoneConfigurationId')}
          error={error('configuration.phoneConfigurationId')}
          hint="Its number must be the channel's phone number."
        />
      )}
      {type === 'web' && (
        <>
          <SelectField label="Communication" name="configuration.communicationType" value={values.communicationType} options={[['unified', 'Text and voice'], ['text', 'Text'], ['voice', 'Voice']]} onValue={set('communicationType')} error={error('configuration.communicationType')} />
          <SelectField label="Widget position" name="configuration.widgetConfiguration.position" value={values.position} options={[['right', 'Right'], ['left', 'Left']]} onValue={set('position')} error={error('configuration.widgetConfiguration.position')} />
        </>
      )}
      {type === 'mobile-app' && (
        <>
          <TextField label="Package name (optional)" name="configuration.packageName" value={values.packageName} onValue={set('packageName')} error={error('configuration.packageName')} hint="Defaults to the app id." />
          <SelectField label="Platform" name="configuration.platform" value={values.platform} options={[['ios', 'iOS'], ['android', 'Android']]} onValue={set('platform')} error={error('configuration.platform')} />
        </>
      )}
      {PROVIDER_TYPES.includes(type) && (
        <SelectField
          label="Connection"
          name="configuration.connectionId"
          value={values.connectionId}
          options={[['', connections.length ? 'Choose a connection…' : 'No connections yet'], ...connections.map((c) => [c.id, `${c.name} (${c.provider})`] as const)]}
          onValue={set('connectionId')}
          error={error('configuration.connectionId')}
          hint={<a href="/console/connections">Manage connections</a>}
        />
      )}
      {type === 'whatsapp' && <TextField label="Phone number id (optional)" name="configuration.phoneNumberId" value={values.phoneNumberId} onValue={set('phoneNumberId')} error={error('configuration.phoneNumberId')} hint="WhatsApp → API Setup." />}
      {type === 'wecom' && <TextField label="App (agent) id (optional)" name="configuration.agentId" value={values.agentId} onValue={set('agentId')} error={error('configuration.agentId')} />}
      {type === 'email' && <TextField label="From name (optional)" name="configuration.fromName" value={values.fromName} onValue={set('fromName')} error={error('configuration.fromName')} />}
      <Checkbox label="Record conversations" name="recordingEnabled" checked={recording} onValue={setRecording} />
      <div class="actions">
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : props.channel ? 'Save channel' : 'Create channel'}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
