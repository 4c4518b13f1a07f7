package redis

import (
	"strconv"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
	"github.com/redis/rueidis"
)

// gcraSource decides a batch of takes, each against the bucket of one key,
// in one atomic step. A bucket is one string, its theoretical arrival time
// (TAT) in unix nanoseconds, as in headroom.DecideRate.
//
// ARGV[1] is now in unix nanoseconds, or "" to read Redis's TIME. Then, for
// take i (KEYS[i]), ARGV[2i] is n × interval and ARGV[2i+1] burst × interval,
// both in nanoseconds. The reply is a flat array: now, then for each take
// 1 (granted) or 0, and the TAT stored before it ("" for none).
//
// Lua numbers are doubles, exact only below 2^53, and unix nanoseconds are
// near 2^61: so every time is kept as whole seconds and nanoseconds, added
// and compared exactly. The remaining tokens and the retry delay are worked
// out by the caller, from the returned TAT, with headroom.DecideRate.
//
// A granted take stores its new TAT with a time to live that ends when the
// bucket is full again: a missing bucket is a full one. When the caller
// gives now, its clock may run at any pace against Redis's (a test's manual
// clock barely moves), and a key that expired before its TAT had passed on
// that clock would refill the bucket early: so such keys live an hour
// longer (clockSlack), which costs only memory.
const gcraSource = `
local function parse(v)
  local len = #v
  if len <= 9 then return 0, tonumber(v) end
  return tonumber(string.sub(v, 1, len - 9)), tonumber(string.sub(v, len - 8))
end
local function add(as, ans, bs, bns)
  local s, ns = as + bs, ans + bns
  if ns >= 1000000000 then return s + 1, ns - 1000000000 end
  return s, ns
end
local function before(as, ans, bs, bns)
  return as < bs or (as == bs and ans < bns)
end
local function fmt(s, ns)
  if s == 0 then return string.format('%d', ns) end
  return string.format('%d%09d', s, ns)
end
local now_s, now_ns
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now_s, now_ns = tonumber(t[1]), tonumber(t[2]) * 1000
else
  now_s, now_ns = parse(ARGV[1])
end
local out = {fmt(now_s, now_ns)}
for i = 1, #KEYS do
  local raw = redis.call('GET', KEYS[i])
  local ts, tns = now_s, now_ns
  if raw then
    local s, ns = parse(raw)
    if before(now_s, now_ns, s, ns) then ts, tns = s, ns end
  else
    raw = ''
  end
  local ns_, nns = parse(ARGV[2 * i])
  local bs, bns = parse(ARGV[2 * i + 1])
  local new_s, new_ns = add(ts, tns, ns_, nns)
  local h_s, h_ns = add(now_s, now_ns, bs, bns)
  if before(h_s, h_ns, new_s, new_ns) then
    out[#out + 1] = 0
  else
    local ds, dns = new_s - now_s, new_ns - now_ns
    if dns < 0 then ds, dns = ds - 1, dns + 1000000000 end
    local ttl = ds * 1000 + math.ceil(dns / 1000000)
    if ttl < 1 then ttl = 1 end
    if ARGV[1] ~= '' then ttl = ttl + 3600000 end
    redis.call('SET', KEYS[i], fmt(new_s, new_ns), 'PX', string.format('%d', ttl))
    out[#out + 1] = 1
  end
  out[#out + 1] = raw
end
return out
`

// gcraScript is loaded once per server and then called by its SHA1.
var gcraScript = rueidis.NewLuaScript(gcraSource)

// keyEscaper keeps ':' out of the account and the quota code, so that the
// three parts of a bucket's key can always be told apart; the scope, last,
// may hold anything.
var keyEscaper = strings.NewReplacer("%", "%25", ":", "%3A")

// bucketKey is the Redis key of one bucket.
func bucketKey(prefix string, k headroom.UsageKey) string {
	return prefix + "rate:" + keyEscaper.Replace(k.Account) + ":" + keyEscaper.Replace(k.Code) + ":" + k.Scope
}

// request is one script call under construction: args starts with now.
type request struct {
	keys []string
	args []string
}

func (r *request) add(prefix string, t headroom.Take) {
	interval := headroom.RateInterval(t.Limit.Rate)
	r.keys = append(r.keys, bucketKey(prefix, t.Key))
	r.args = append(r.args, strconv.FormatInt(t.N*interval, 10), strconv.FormatInt(t.Limit.Burst*interval, 10))
}

// resultOf turns the script's answer for one take into a RateResult,
// redoing the arithmetic with headroom.DecideRate so that the remaining
// tokens and the retry delay are exactly the in-process limiter's. ok is
// false if the script and DecideRate disagree, which only a bucket of
// overflowing span could cause.
func resultOf(t headroom.Take, now int64, granted bool, storedTAT string) (res headroom.RateResult, ok bool) {
	var tat int64
	if storedTAT != "" {
		v, err := strconv.ParseInt(storedTAT, 10, 64)
		if err != nil {
			return res, false
		}
		tat = v
	}
	allowed, _, remaining, retry := headroom.DecideRate(tat, now, headroom.RateInterval(t.Limit.Rate), t.Limit.Burst, t.N)
	res = headroom.RateResult{Allowed: allowed, Remaining: remaining, RetryAfter: time.Duration(retry), At: time.Unix(0, now).UTC()}
	return res, allowed == granted
}
