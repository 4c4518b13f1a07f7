package memory

import (
	"encoding/binary"
	"math/bits"
	"unsafe"

	"github.com/headroomhq/headroom"
)

// Multipliers of the key hash: odd 64-bit constants with well-mixed bits.
const (
	hashK0 = 0xa0761d6478bd642f
	hashK1 = 0xe7037ed1a0b428db
	hashK2 = 0x8ebc6af09c88c6e3
)

// hashKey hashes a usage key for the limiter's tables. It is on the hot path
// of every rate decision, where the general-purpose hashing of three strings
// cost as much as the rest of the decision together; this one folds 16 bytes
// per 128-bit multiply, in the manner of wyhash. The seed is random per
// limiter, so callers cannot choose colliding keys in advance; a collision
// costs only a longer probe, since lookups compare whole keys.
func hashKey(seed uint64, k headroom.UsageKey) uint64 {
	h := hashString(seed, k.Account)
	h = hashString(h, k.Code)
	return hashString(h, k.Scope)
}

func mum(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func hashString(seed uint64, s string) uint64 {
	n := len(s)
	b := unsafe.Slice(unsafe.StringData(s), n)
	h := seed ^ hashK0 ^ uint64(n)*hashK2
	var a, c uint64
	switch {
	case n == 0:
	case n < 4:
		a = uint64(b[0])<<16 | uint64(b[n>>1])<<8 | uint64(b[n-1])
	case n <= 8:
		a = uint64(binary.LittleEndian.Uint32(b))
		c = uint64(binary.LittleEndian.Uint32(b[n-4:]))
	case n <= 16:
		a = binary.LittleEndian.Uint64(b)
		c = binary.LittleEndian.Uint64(b[n-8:])
	default:
		i := 0
		for ; n-i > 16; i += 16 {
			h = mum(binary.LittleEndian.Uint64(b[i:])^hashK1, binary.LittleEndian.Uint64(b[i+8:])^h)
		}
		a = binary.LittleEndian.Uint64(b[n-16:])
		c = binary.LittleEndian.Uint64(b[n-8:])
	}
	return mum(a^hashK1, c^h)
}
