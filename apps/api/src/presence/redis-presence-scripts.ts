/**
 * Presence in Redis, one script per change so that each is atomic across instances. Keys of a
 * room: `members:<room>` (userId → how many instances hold the user), `names:<room>`
 * (userId → name), `by-id:<room>` (userIds, for paging in order), `active:<room>` (userId →
 * last activity, ms); `online` (room → count, for the lobby). Keys of an instance:
 * `holds:<instance>:<room>` (the users it holds there) and `held-rooms:<instance>`.
 *
 * A user who joins, leaves or is held under a new name is published on the room's channel
 * (`room:<room>`) by the script that made the change, so every instance learns of the changes
 * in the one order Redis made them: `\n\np\n` and `{kind, user, online}` (see RedisBroker).
 *
 * HOLD and RELEASE: KEYS holds, held-rooms, members, names, by-id, active, online, channel;
 * ARGV room, userId, name, now ms.
 */
const ANNOUNCE = `
local function announce(channel, kind, userId, name, online)
  redis.call('PUBLISH', channel, '\\n\\np\\n' .. cjson.encode({kind = kind, user = {userId = userId, name = name}, online = online}))
end
`;

export const HOLD = `${ANNOUNCE}
local joined = false
if redis.call('SADD', KEYS[1], ARGV[2]) == 1 then
  redis.call('SADD', KEYS[2], ARGV[1])
  if redis.call('HINCRBY', KEYS[3], ARGV[2], 1) == 1 then
    joined = true
    redis.call('ZADD', KEYS[5], 0, ARGV[2])
  end
end
local previousName = redis.call('HGET', KEYS[4], ARGV[2])
redis.call('HSET', KEYS[4], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[6], ARGV[4], ARGV[2])
local online = redis.call('HLEN', KEYS[3])
redis.call('HSET', KEYS[7], ARGV[1], online)
if joined then
  announce(KEYS[8], 'joined', ARGV[2], ARGV[3], online)
elseif previousName and previousName ~= ARGV[3] then
  announce(KEYS[8], 'renamed', ARGV[2], ARGV[3], online)
end
return 0`;

export const RELEASE = `${ANNOUNCE}
local left = false
local name = ARGV[3]
if redis.call('SREM', KEYS[1], ARGV[2]) == 1 then
  if redis.call('SCARD', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
  if redis.call('HINCRBY', KEYS[3], ARGV[2], -1) <= 0 then
    left = true
    name = redis.call('HGET', KEYS[4], ARGV[2]) or name
    redis.call('HDEL', KEYS[3], ARGV[2])
    redis.call('HDEL', KEYS[4], ARGV[2])
    redis.call('ZREM', KEYS[5], ARGV[2])
    redis.call('ZREM', KEYS[6], ARGV[2])
  end
end
local online = redis.call('HLEN', KEYS[3])
if online == 0 then redis.call('HDEL', KEYS[7], ARGV[1]) else redis.call('HSET', KEYS[7], ARGV[1], online) end
if left then announce(KEYS[8], 'left', ARGV[2], name, online) end
return 0`;

/** KEYS active, names; ARGV limit. Reply: userId, name, userId, name… most recently active first. */
export const RECENT = `
local ids = redis.call('ZRANGE', KEYS[1], '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, tonumber(ARGV[1]))
local reply = {}
for _, id in ipairs(ids) do
  table.insert(reply, id)
  table.insert(reply, redis.call('HGET', KEYS[2], id) or '')
end
return reply`;

/** KEYS by-id, names, members; ARGV after ('' for the start), limit. Reply: online, userId, name… */
export const PAGE = `
local from = '-'
if ARGV[1] ~= '' then from = '(' .. ARGV[1] end
local ids = redis.call('ZRANGE', KEYS[1], from, '+', 'BYLEX', 'LIMIT', 0, tonumber(ARGV[2]))
local reply = {redis.call('HLEN', KEYS[3])}
for _, id in ipairs(ids) do
  table.insert(reply, id)
  table.insert(reply, redis.call('HGET', KEYS[2], id) or '')
end
return reply`;

/**
 * Releases every user a dead instance held, announcing those who left. ARGV key prefix,
 * instance id. The keys are built inside (one Redis, not a Redis Cluster).
 */
export const REAP = `${ANNOUNCE}
local p, dead = ARGV[1], ARGV[2]
local heldRooms = p .. 'held-rooms:' .. dead
for _, room in ipairs(redis.call('SMEMBERS', heldRooms)) do
  local holds = p .. 'holds:' .. dead .. ':' .. room
  local members, names = p .. 'members:' .. room, p .. 'names:' .. room
  local left = {}
  for _, id in ipairs(redis.call('SMEMBERS', holds)) do
    if redis.call('HINCRBY', members, id, -1) <= 0 then
      table.insert(left, {id, redis.call('HGET', names, id) or ''})
      redis.call('HDEL', members, id)
      redis.call('HDEL', names, id)
      redis.call('ZREM', p .. 'by-id:' .. room, id)
      redis.call('ZREM', p .. 'active:' .. room, id)
    end
  end
  redis.call('DEL', holds)
  local online = redis.call('HLEN', members)
  if online == 0 then redis.call('HDEL', p .. 'online', room) else redis.call('HSET', p .. 'online', room, online) end
  -- Each announced with the count after all of them left: the diff that carries them says so.
  for _, user in ipairs(left) do announce(p .. 'room:' .. room, 'left', user[1], user[2], online) end
end
redis.call('DEL', heldRooms)
return 0`;
