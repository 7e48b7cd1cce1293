export default function DeployPage() {
  return <h1>Deploy</h1>;
}
