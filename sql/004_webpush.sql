-- pushsync schema, version 4: Web Push (RFC 8030/8291/8292) as a fourth
-- platform. Its push channel is the browser's PushSubscription JSON
-- ({"endpoint", "keys": {"p256dh", "auth"}}), stored as pushsync normalizes it.
ALTER TABLE {{schema}}.installations DROP CONSTRAINT installations_platform_check;
ALTER TABLE {{schema}}.installations ADD CONSTRAINT installations_platform_check
  CHECK (platform IN ('apns', 'fcm', 'ws', 'webpush'));
