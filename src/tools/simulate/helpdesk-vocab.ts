/**
 * Vocabulary of the built-in help-desk world. Documents use the canonical (and, in runbooks, the
 * expert) words; novice phrasings deliberately share no content word with the documents, so a
 * trained model can beat lexical matching on them.
 */
export interface SystemVocab {
  readonly key: string;
  readonly name: string;
  readonly abbr: string;
  readonly expert: string;
  readonly novice: string;
  readonly category: string;
  readonly entity: string;
}

export interface ProblemVocab {
  readonly key: string;
  /** Canonical phrase used in documents. */
  readonly canonical: string;
  /** Keyword form used in short queries. */
  readonly keyword: string;
  /** Verb phrase for natural questions; `{s}` is the system. */
  readonly question: string;
  readonly error: string;
  readonly abbr: string;
  readonly expert: string;
  readonly novice: string;
  /** One sentence of document text about the problem; `{s}` system, `{p}` platform. */
  readonly explain: string;
  readonly fix: string;
}

export interface PlatformVocab {
  readonly key: string;
  readonly name: string;
  readonly abbr: string;
  readonly expert: string;
  readonly novice: string;
}

export const SYSTEMS: readonly SystemVocab[] = [
  { key: 'okta', name: 'okta', abbr: 'okta', expert: 'saml idp', novice: 'company badge website', category: 'identity', entity: 'Okta' },
  { key: 'vpn', name: 'vpn', abbr: 'vpn', expert: 'globalprotect gateway', novice: 'secure work tunnel', category: 'network', entity: 'GlobalProtect VPN' },
  { key: 'postgres', name: 'postgres', abbr: 'pg', expert: 'postgresql wal', novice: 'elephant db', category: 'data', entity: 'PostgreSQL' },
  { key: 'outlook', name: 'outlook email', abbr: 'o365 mail', expert: 'exchange online mailbox', novice: 'inbox thing', category: 'collaboration', entity: 'Microsoft Outlook' },
  { key: 'slack', name: 'slack', abbr: 'slk', expert: 'slack workspace socket', novice: 'group chat', category: 'collaboration', entity: 'Slack' },
  { key: 'jira', name: 'jira', abbr: 'jra', expert: 'jira cloud workflow', novice: 'ticket board', category: 'engineering', entity: 'Jira' },
  { key: 'github', name: 'github', abbr: 'gh', expert: 'github enterprise repo', novice: 'programmers website', category: 'engineering', entity: 'GitHub' },
  { key: 'kubernetes', name: 'kubernetes', abbr: 'k8s', expert: 'kubectl pod', novice: 'ship wheel thingy', category: 'platform', entity: 'Kubernetes' },
  { key: 'docker', name: 'docker', abbr: 'dkr', expert: 'dockerd daemon', novice: 'whale tool', category: 'platform', entity: 'Docker Desktop' },
  { key: 'aws', name: 'aws console', abbr: 'aws', expert: 'aws iam sts', novice: 'amazon hosting', category: 'cloud', entity: 'AWS' },
  { key: 'zoom', name: 'zoom', abbr: 'zm', expert: 'zoom client sdk', novice: 'webcam app', category: 'collaboration', entity: 'Zoom' },
  { key: 'printer', name: 'printer', abbr: 'prn', expert: 'cups print queue', novice: 'office paper machine', category: 'facilities', entity: 'HP LaserJet' },
  { key: 'wifi', name: 'wifi', abbr: 'wlan', expert: '802.1x eap wireless', novice: 'office internet', category: 'network', entity: 'Corporate Wi-Fi' },
  { key: 'salesforce', name: 'salesforce', abbr: 'sfdc', expert: 'salesforce apex org', novice: 'customer records tool', category: 'sales', entity: 'Salesforce' },
  { key: 'confluence', name: 'confluence wiki', abbr: 'cnf', expert: 'confluence space macro', novice: 'internal pages site', category: 'collaboration', entity: 'Confluence' },
  { key: 'kafka', name: 'kafka', abbr: 'kfk', expert: 'kafka broker partition', novice: 'event pipe', category: 'data', entity: 'Apache Kafka' },
  { key: 'redis', name: 'redis cache', abbr: 'rds', expert: 'redis cluster slot', novice: 'speed layer', category: 'data', entity: 'Redis' },
  { key: 'jenkins', name: 'jenkins', abbr: 'jnk', expert: 'jenkins pipeline agent', novice: 'build robot', category: 'engineering', entity: 'Jenkins' },
  { key: 'ssh', name: 'ssh key', abbr: 'ssh', expert: 'openssh ed25519 keypair', novice: 'remote machine pass file', category: 'platform', entity: 'OpenSSH' },
  { key: 'mfa', name: 'mfa', abbr: '2fa', expert: 'totp authenticator', novice: 'six digit phone code', category: 'identity', entity: 'Okta Verify' },
  { key: 'excel', name: 'excel', abbr: 'xls', expert: 'excel workbook vba', novice: 'spreadsheet grid', category: 'productivity', entity: 'Microsoft Excel' },
  { key: 'teams', name: 'teams', abbr: 'msteams', expert: 'teams tenant policy', novice: 'meeting room program', category: 'collaboration', entity: 'Microsoft Teams' },
  { key: 'nginx', name: 'nginx', abbr: 'ngx', expert: 'nginx upstream proxy_pass', novice: 'front door of our site', category: 'platform', entity: 'NGINX' },
  { key: 'terraform', name: 'terraform', abbr: 'tf', expert: 'terraform state backend', novice: 'infra scripts', category: 'cloud', entity: 'Terraform' },
];

export const PROBLEMS: readonly ProblemVocab[] = [
  { key: 'password-reset', canonical: 'password reset', keyword: 'reset password', question: 'reset my password for {s}', error: 'Error: password expired, change required', abbr: 'pw reset', expert: 'credential rotation', novice: 'forgot my secret word',
    explain: 'A password reset is needed when the {s} password has expired or was locked after failed attempts.', fix: 'Open the {s} account page on {p}, choose reset password and confirm with the emailed link.' },
  { key: 'token-expired', canonical: 'expired token', keyword: 'token expired', question: 'renew an expired token in {s}', error: '401 Unauthorized: token expired', abbr: 'tok exp', expert: 'refresh token ttl', novice: 'keeps kicking me off',
    explain: 'An expired token makes {s} reject requests on {p} until the session token is renewed.', fix: 'Sign out of {s}, clear the cached token on {p} and sign in again to obtain a new token.' },
  { key: 'disconnects', canonical: 'connection drops', keyword: 'disconnects', question: 'stop {s} from disconnecting', error: 'ERR_CONNECTION_RESET', abbr: 'dc', expert: 'keepalive timeout', novice: 'cuts off every few minutes',
    explain: 'Connection drops in {s} on {p} usually come from idle timeouts or power saving.', fix: 'Disable power saving for the network adapter on {p} and raise the {s} keepalive setting.' },
  { key: 'slow', canonical: 'slow performance', keyword: 'slow', question: 'make {s} faster', error: 'request took longer than 30000 ms', abbr: 'perf', expert: 'latency p99 regression', novice: 'takes forever',
    explain: 'Slow performance of {s} on {p} is often caused by a full cache or an outdated version.', fix: 'Clear the {s} cache, update to the current version on {p} and check the performance dashboard.' },
  { key: 'login-fails', canonical: 'login failure', keyword: 'cannot log in', question: 'log in to {s}', error: 'Authentication failed for user', abbr: 'auth fail', expert: 'authn handshake rejected', novice: "won't let me in",
    explain: 'A login failure in {s} on {p} happens when the account is locked or the clock is out of sync.', fix: 'Check that the {s} account is active, sync the clock on {p} and retry the login.' },
  { key: 'sync-fails', canonical: 'sync failure', keyword: 'not syncing', question: 'fix syncing in {s}', error: 'Sync error 0x80070005', abbr: 'sync err', expert: 'replication conflict resolution', novice: 'my changes vanish',
    explain: 'A sync failure means {s} on {p} cannot reconcile local and server data.', fix: 'Pause sync in {s}, resolve the conflicting items on {p} and resume sync.' },
  { key: 'install', canonical: 'installation', keyword: 'install', question: 'install {s}', error: 'Installer exited with code 1603', abbr: 'inst', expert: 'package provisioning msi', novice: 'put it on my machine',
    explain: 'Installation of {s} on {p} requires administrator rights and a supported version.', fix: 'Download the {s} installer for {p} from the software portal and run it as administrator.' },
  { key: 'permission-denied', canonical: 'permission denied', keyword: 'access denied', question: 'get access to {s}', error: 'EACCES: permission denied', abbr: 'perm', expert: 'rbac role binding', novice: 'says i am not allowed',
    explain: 'Permission denied in {s} means your account lacks the required role or group membership.', fix: 'Request the {s} access group in the access portal; on {p} sign out and in again once approved.' },
  { key: 'crash', canonical: 'crash on startup', keyword: 'crashes', question: 'stop {s} crashing', error: 'Segmentation fault (core dumped)', abbr: 'crash', expert: 'startup panic stack trace', novice: 'closes by itself',
    explain: 'A crash on startup of {s} on {p} is usually caused by a corrupt profile or plugin.', fix: 'Start {s} in safe mode on {p}, remove the corrupt profile and reinstall plugins one by one.' },
  { key: 'disk-full', canonical: 'disk space full', keyword: 'disk full', question: 'free disk space used by {s}', error: 'No space left on device', abbr: 'df full', expert: 'volume capacity exhaustion', novice: 'no room left',
    explain: 'When the disk is full {s} cannot write logs or data on {p}.', fix: 'Delete old {s} logs and caches on {p}, then enable log rotation.' },
  { key: 'certificate', canonical: 'certificate expired', keyword: 'cert expired', question: 'renew the certificate for {s}', error: 'x509: certificate has expired', abbr: 'cert', expert: 'tls chain validation', novice: 'scary padlock warning',
    explain: 'An expired certificate makes {s} connections fail validation on {p}.', fix: 'Renew the {s} certificate in the certificate manager and install the new chain on {p}.' },
  { key: 'update-fails', canonical: 'update failure', keyword: 'update fails', question: 'update {s}', error: 'Update failed: checksum mismatch', abbr: 'upd fail', expert: 'version upgrade rollback', novice: 'newest edition refuses to go on',
    explain: 'An update failure leaves {s} on {p} on the old version, often after an interrupted download.', fix: 'Remove the partial {s} update files on {p} and run the update again on a stable network.' },
  { key: 'memory', canonical: 'out of memory', keyword: 'oom', question: 'fix memory errors in {s}', error: 'java.lang.OutOfMemoryError', abbr: 'oom', expert: 'heap exhaustion oomkilled', novice: 'freezes up completely',
    explain: 'Out of memory errors in {s} on {p} appear when the heap or container limit is too small.', fix: 'Raise the {s} memory limit, close unused workspaces on {p} and restart.' },
  { key: 'timeout', canonical: 'request timeout', keyword: 'timeout', question: 'fix timeouts in {s}', error: '504 Gateway Timeout', abbr: 'tmo', expert: 'deadline exceeded', novice: 'spins and never loads',
    explain: 'A request timeout in {s} means the server did not answer in time for clients on {p}.', fix: 'Check the {s} status page, retry from {p} and raise the client timeout if the service is healthy.' },
  { key: 'lag', canonical: 'replication lag', keyword: 'replication lag', question: 'reduce replication lag in {s}', error: 'replica is 900 seconds behind primary', abbr: 'repl lag', expert: 'standby apply delay', novice: 'copies show old numbers',
    explain: 'Replication lag means {s} replicas serve stale data to clients on {p}.', fix: 'Check long running transactions in {s}, add replica capacity and monitor the lag metric.' },
  { key: 'setup', canonical: 'initial setup', keyword: 'setup', question: 'set up {s}', error: 'Configuration file not found', abbr: 'cfg', expert: 'bootstrap configuration', novice: 'getting going on day one',
    explain: 'Initial setup of {s} on {p} creates the configuration and links your account.', fix: 'Follow the {s} setup wizard on {p}, sign in with your account and accept the default configuration.' },
  { key: 'notifications', canonical: 'notifications missing', keyword: 'no notifications', question: 'turn on notifications for {s}', error: 'Push registration failed', abbr: 'notif', expert: 'webhook delivery failure', novice: 'never hear a ping',
    explain: 'Missing notifications from {s} on {p} are usually blocked by focus mode or system settings.', fix: 'Allow {s} notifications in the {p} system settings and enable them in {s} preferences.' },
  { key: 'license', canonical: 'license activation', keyword: 'license', question: 'activate the license for {s}', error: 'License key invalid or expired', abbr: 'lic', expert: 'entitlement seat assignment', novice: 'says trial is over',
    explain: 'License activation links {s} on {p} to a paid seat of your team.', fix: 'Ask your manager for a {s} seat, then enter the license key in {s} on {p}.' },
];

export const PLATFORMS: readonly PlatformVocab[] = [
  { key: 'mac', name: 'macos', abbr: 'mac', expert: 'darwin', novice: 'apple laptop' },
  { key: 'windows', name: 'windows', abbr: 'win', expert: 'win11 endpoint', novice: 'dell tower' },
  { key: 'linux', name: 'linux', abbr: 'lnx', expert: 'ubuntu host', novice: 'penguin box' },
  { key: 'ios', name: 'iphone', abbr: 'ios', expert: 'ios mdm profile', novice: 'apple phone' },
  { key: 'android', name: 'android', abbr: 'andr', expert: 'android enterprise', novice: 'samsung phone' },
  { key: 'web', name: 'browser', abbr: 'web', expert: 'web client', novice: 'chrome tab' },
];
