package rdbfile

// LoadConfig holds the redis.conf thresholds that decide the encoding
// Redis gives a value it loads from a file or a RESTORE payload.
type LoadConfig struct {
	SetMaxIntsetEntries    int
	HashMaxListpackEntries int
	HashMaxListpackValue   int
	ZSetMaxListpackEntries int
	ZSetMaxListpackValue   int
}

// DefaultLoadConfig returns Redis's defaults: 512, 128, 64, 128, 64.
func DefaultLoadConfig() LoadConfig {
	return LoadConfig{
		SetMaxIntsetEntries:    defaultSetMaxIntsetEntries,
		HashMaxListpackEntries: defaultMaxListpackEntries,
		HashMaxListpackValue:   defaultMaxListpackValue,
		ZSetMaxListpackEntries: defaultMaxListpackEntries,
		ZSetMaxListpackValue:   defaultMaxListpackValue,
	}
}

// listpackSafetySize is LISTPACK_MAX_SAFETY_SIZE, lpSafeToAdd's bound.
const listpackSafetySize = 1 << 30

// LoadedEncoding returns the encoding rdbLoadObject gives a value read
// from a record of type v.FileType under cfg: a set of integers becomes
// an intset unless it is too long, a small hash or zset a listpack, a
// listpack (or ziplist, or zipmap) that holds too many elements a hash
// table or skiplist. Strings return EncodingRaw: the node applies its own
// tryObjectEncoding (int, embstr, raw).
func (v *Value) LoadedEncoding(cfg LoadConfig) Encoding {
	switch v.Type {
	case TypeString:
		return EncodingRaw
	case TypeList:
		return EncodingQuicklist
	case TypeStream:
		return EncodingStream
	case TypeSet:
		n := len(v.Elems)
		if v.FileType == RDBTypeSetIntset {
			if n > cfg.SetMaxIntsetEntries {
				return EncodingHashtable
			}
			return EncodingIntset
		}
		if n > min(cfg.SetMaxIntsetEntries, 1<<30) {
			return EncodingHashtable
		}
		for _, m := range v.Elems {
			if _, ok := parseInt(m); !ok {
				return EncodingHashtable
			}
		}
		return EncodingIntset
	case TypeZSet:
		n := len(v.Elems)
		if v.FileType == RDBTypeZSet || v.FileType == RDBTypeZSet2 {
			maxLen, total := 0, 0
			for _, m := range v.Elems {
				maxLen = max(maxLen, len(m))
				total += len(m)
			}
			if n <= cfg.ZSetMaxListpackEntries && maxLen <= cfg.ZSetMaxListpackValue && total <= listpackSafetySize {
				return EncodingListpack
			}
			return EncodingSkiplist
		}
		if n > cfg.ZSetMaxListpackEntries {
			return EncodingSkiplist
		}
		return EncodingListpack
	case TypeHash:
		n := len(v.Elems) / 2
		switch v.FileType {
		case RDBTypeHash:
			if n > cfg.HashMaxListpackEntries {
				return EncodingHashtable
			}
			total := 0
			for _, b := range v.Elems {
				total += len(b)
				if len(b) > cfg.HashMaxListpackValue || total > listpackSafetySize {
					return EncodingHashtable
				}
			}
			return EncodingListpack
		case RDBTypeHashZipmap:
			for _, b := range v.Elems {
				if len(b) > cfg.HashMaxListpackValue {
					return EncodingHashtable
				}
			}
		}
		if n > cfg.HashMaxListpackEntries {
			return EncodingHashtable
		}
		return EncodingListpack
	}
	return v.Encoding
}
