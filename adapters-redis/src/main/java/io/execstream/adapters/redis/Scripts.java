package io.execstream.adapters.redis;

/**
 * The Lua scripts that change more than one key: each runs atomically in Redis. Numbers stay far
 * below 2^53, where Lua's doubles are still exact.
 */
final class Scripts {
    private Scripts() {
    }

    /** Lua helpers shared by {@link #APPEND} and {@link #COMPLETE}. */
    private static final String ADD = """
            local function weight_of(f)
              for i = 1, #f, 2 do
                if f[i] == 'w' then return tonumber(f[i + 1]) end
              end
              return 0
            end
            -- Adds the entries {n, weight, fields} numbered above the stream's seq (a lower one was
            -- added before: a retry), then trims its oldest entries (never the last one added) until
            -- the history holds at most max_bytes. Returns the total history bytes after it.
            local function add(meta, ev, total, per_stream, id, max_bytes, entries)
              local seq = tonumber(redis.call('HGET', meta, 'seq'))
              local bytes = tonumber(redis.call('HGET', meta, 'bytes'))
              local first = tonumber(redis.call('HGET', meta, 'first'))
              local added, freed = 0, 0
              for _, e in ipairs(entries) do
                local n, w = e[1], e[2]
                if n > seq then
                  if n > seq + 1 and first > 0 then
                    -- events seq+1 .. n-1 are lost (dropped by a writer's overflowing outage buffer, or by
                    -- a Redis restart that lost its last writes): drop the older history too, so that the
                    -- retained window stays contiguous and every reader sees a gap instead of a hole.
                    redis.call('XTRIM', ev, 'MINID', n .. '-0')
                    freed = freed + bytes
                    bytes = 0
                    first = 0
                  end
                  redis.call('XADD', ev, n .. '-0', unpack(e[3]))
                  if first == 0 then first = n end
                  bytes = bytes + w
                  added = added + w
                  seq = n
                end
              end
              if bytes > max_bytes and first < seq then
                -- Reads as many of the oldest entries as should free the excess at the mean weight of
                -- those added, not a fixed page: an entry read is copied whole, output and all.
                local mean = math.max(1, added / math.max(1, #entries))
                local count = math.min(128, math.ceil((bytes - max_bytes) / mean) + 1)
                while bytes > max_bytes and first < seq do
                  local old = redis.call('XRANGE', ev, first .. '-0', '(' .. seq .. '-0', 'COUNT', count)
                  if #old == 0 then
                    first = seq
                    break
                  end
                  for _, o in ipairs(old) do
                    if bytes <= max_bytes then break end
                    local ow = weight_of(o[2])
                    bytes = bytes - ow
                    freed = freed + ow
                    first = tonumber(string.match(o[1], '^(%d+)')) + 1
                  end
                  count = math.min(128, count * 2)
                end
                redis.call('XTRIM', ev, 'MINID', first .. '-0')
              end
              redis.call('HSET', meta, 'seq', seq, 'bytes', bytes, 'first', first)
              redis.call('HINCRBY', per_stream, id, added - freed)
              return redis.call('INCRBY', total, added - freed)
            end
            """;

    /** Lua helper shared by {@link #EVICT} and {@link #BUDGET}. */
    private static final String EVICT_FN = """
            -- Forgets a finished stream (or one whose keys already expired) and gives its bytes back.
            local function evict(prefix, total, per_stream, finished, id)
              local meta = prefix .. 's:' .. id
              local status = redis.call('HGET', meta, 'status')
              if status == 'running' then
                redis.call('ZREM', finished, id)
                return 0
              end
              local project = redis.call('HGET', meta, 'project')
              local b = tonumber(redis.call('HGET', per_stream, id) or '0')
              redis.call('HDEL', per_stream, id)
              redis.call('DECRBY', total, b)
              redis.call('DEL', meta, prefix .. 'e:' .. id)
              redis.call('ZREM', finished, id)
              if project then redis.call('ZREM', prefix .. 'p:' .. project, id) end
              return 1
            end
            """;

    /**
     * KEYS: meta, project set, node's running set. ARGV: project, started (ISO), started millis,
     * owner node, stream id, then field/value pairs of its interaction and session
     * ({@link SessionFields}; an empty value is not set). Returns 1, or 0 if the stream exists.
     */
    static final Script OPEN = new Script("""
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            redis.call('HSET', KEYS[1], 'project', ARGV[1], 'status', 'running', 'started', ARGV[2],
                'owner', ARGV[4], 'seq', 0, 'bytes', 0, 'first', 0)
            for i = 6, #ARGV, 2 do
              if ARGV[i + 1] ~= '' then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
            end
            redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
            redis.call('SADD', KEYS[3], ARGV[5])
            return 1
            """);

    /**
     * KEYS: meta, events, total bytes, per-stream bytes. ARGV: stream id, max history bytes, then
     * for each event in order: n, weight, its number of entry fields, the fields. Adds the events
     * numbered above the stream's last, in one call: the group commit of a stream's batch. Returns
     * {code, total}: 1 added, 0 all there already (a retry), -1 no such stream, -2 stream complete.
     */
    static final Script APPEND = new Script(ADD + """
            if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, 0} end
            local entries = {}
            local i = 3
            while i <= #ARGV do
              local count = tonumber(ARGV[i + 2])
              local fields = {}
              for j = i + 3, i + 2 + count do fields[#fields + 1] = ARGV[j] end
              entries[#entries + 1] = {tonumber(ARGV[i]), tonumber(ARGV[i + 1]), fields}
              i = i + 3 + count
            end
            if entries[#entries][1] <= tonumber(redis.call('HGET', KEYS[1], 'seq')) then return {0, 0} end
            if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return {-2, 0} end
            return {1, add(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], tonumber(ARGV[2]), entries)}
            """);

    /**
     * KEYS: meta, events, total bytes, per-stream bytes, finished set, finish order counter.
     * ARGV: stream id, n (0: the next number), weight, max history bytes, retention millis,
     * completed-at millis, key prefix, status, exit code ('' for none), duration millis, entry
     * fields... Returns {code, total, n}: 1 completed, 0 already completed with this n (a retry),
     * -1 no such stream, -2 already complete, -3 n already used.
     */
    static final Script COMPLETE = new Script(ADD + """
            if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, 0, 0} end
            local n = tonumber(ARGV[2])
            if redis.call('HGET', KEYS[1], 'status') ~= 'running' then
              if n > 0 and redis.call('HGET', KEYS[1], 'done') == n .. '-0' then return {0, 0, n} end
              return {-2, 0, 0}
            end
            local seq = tonumber(redis.call('HGET', KEYS[1], 'seq'))
            if n == 0 then
              n = seq + 1
            elseif n <= seq then
              return {-3, 0, 0}
            end
            local fields = {}
            for i = 11, #ARGV do fields[#fields + 1] = ARGV[i] end
            local total = add(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], tonumber(ARGV[4]),
                {{n, tonumber(ARGV[3]), fields}})
            redis.call('HSET', KEYS[1], 'status', ARGV[8], 'duration', ARGV[10], 'done', n .. '-0',
                'completed_at', ARGV[6])
            if ARGV[9] ~= '' then redis.call('HSET', KEYS[1], 'exit', ARGV[9]) end
            redis.call('HDEL', KEYS[1], 'cancel_requested')
            local order = redis.call('INCR', KEYS[6])
            redis.call('ZADD', KEYS[5], order, ARGV[1])
            local owner = redis.call('HGET', KEYS[1], 'owner')
            if owner then redis.call('SREM', ARGV[7] .. 'n:' .. owner, ARGV[1]) end
            local ttl = math.max(1, tonumber(ARGV[5]))
            redis.call('PEXPIRE', KEYS[1], ttl)
            redis.call('PEXPIRE', KEYS[2], ttl)
            return {1, total, n}
            """);

    /** KEYS: total bytes, per-stream bytes, finished set. ARGV: prefix, stream id. */
    static final Script EVICT = new Script(EVICT_FN + """
            return evict(ARGV[1], KEYS[1], KEYS[2], KEYS[3], ARGV[2])
            """);

    /**
     * KEYS: total bytes, per-stream bytes, finished set. ARGV: prefix, budget. Evicts the streams
     * that finished first until the total is within the budget; returns how many it evicted.
     */
    static final Script BUDGET = new Script(EVICT_FN + """
            local budget = tonumber(ARGV[2])
            local count = 0
            while tonumber(redis.call('GET', KEYS[1]) or '0') > budget do
              local oldest = redis.call('ZRANGE', KEYS[3], 0, 0)
              if #oldest == 0 then break end
              evict(ARGV[1], KEYS[1], KEYS[2], KEYS[3], oldest[1])
              count = count + 1
            end
            return count
            """);

    private static final String NOW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            """;

    /**
     * KEYS: nodes. ARGV: node, lease millis. Renews the node's lease by the server's clock; returns
     * {1 if the lease was still there else 0, ids of other nodes whose lease has expired...}.
     */
    static final Script RENEW = new Script(NOW + """
            local present = redis.call('ZSCORE', KEYS[1], ARGV[1])
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            local result = {present and 1 or 0}
            for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)) do
              result[#result + 1] = node
            end
            return result
            """);

    /**
     * KEYS: nodes, the node's running set, its control requests. ARGV: node. Forgets a node whose
     * lease has expired and whose streams have all been completed; returns 1 if it did.
     */
    static final Script FORGET = new Script(NOW + """
            local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if score and tonumber(score) < now and redis.call('SCARD', KEYS[2]) == 0 then
              redis.call('ZREM', KEYS[1], ARGV[1])
              redis.call('DEL', KEYS[2], KEYS[3])
              return 1
            end
            return 0
            """);

    /**
     * KEYS: meta. ARGV: field/value pairs of a live session's state ({@link SessionFields#of}; an
     * empty value deletes the field). Sets them on a running stream; returns 1, or 0 if the stream
     * is gone or complete (nothing is created: a stray hash would never expire).
     */
    static final Script SESSION = new Script("""
            if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
            for i = 1, #ARGV, 2 do
              if ARGV[i + 1] == '' then
                redis.call('HDEL', KEYS[1], ARGV[i])
              else
                redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
              end
            end
            return 1
            """);

    /**
     * KEYS: meta, nodes, the sender's last number ({@link Keys#controlsSent}). ARGV: key prefix,
     * the request's number (from 1, rising, per sender), the most entries a node's requests keep,
     * then the entry's fields. Adds the request to the requests of the node that runs the stream,
     * once: a number not above the sender's last was added before (a retry). Returns {code, owner}:
     * 1 added, 0 added before, -1 no such stream, -2 stream complete, -3 its node's lease expired.
     */
    static final Script CONTROL = new Script(NOW + """
            local n = tonumber(ARGV[2])
            if n <= tonumber(redis.call('GET', KEYS[3]) or '0') then return {0, ''} end
            local status = redis.call('HGET', KEYS[1], 'status')
            if not status then return {-1, ''} end
            if status ~= 'running' then return {-2, ''} end
            local owner = redis.call('HGET', KEYS[1], 'owner')
            local lease = redis.call('ZSCORE', KEYS[2], owner)
            if not lease or tonumber(lease) < now then return {-3, owner} end
            local fields = {}
            for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
            redis.call('XADD', ARGV[1] .. 'c:' .. owner, 'MAXLEN', '~', ARGV[3], '*', unpack(fields))
            redis.call('SET', KEYS[3], n, 'PX', 86400000)
            return {1, owner}
            """);

    /** KEYS: meta. Flags a cancel request on an existing stream; returns 1 if it exists. */
    static final Script FLAG_CANCEL = new Script("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
            redis.call('HSET', KEYS[1], 'cancel_requested', '1')
            return 1
            """);
}
