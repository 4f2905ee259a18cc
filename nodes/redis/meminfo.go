package redis

import (
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/redis/scripting"
)

// INFO memory and MEMORY STATS, from one breakdown of the modelled
// used_memory (usedmemory.go) as getMemoryOverheadData breaks down
// zmalloc_used_memory(). The node has no allocator and no process: the
// modelled figure stands for the allocator's and the RSS too, so the
// fragmentation ratios are 1 and their bytes 0, and the host's memory is
// a fixed simulatedHostMemory.

// simulatedHostMemory is total_system_memory of a simulated host.
const simulatedHostMemory = 8 << 30

// memOverhead is struct redisMemOverhead.
type memOverhead struct {
	used, startup, peak                    int64
	replBacklog, clientsSlaves             int64
	clientsNormal, clusterLinks, aofBuffer int64
	luaCaches, functionsCaches             int64
	dbs                                    []dbOverhead
	total, dataset, keys, bytesPerKey      int64
	peakPerc, datasetPerc                  float32
	evalVM, functionsVM                    int64
	numScripts, numFunctions, numLibraries int
}

type dbOverhead struct {
	id                         int
	main, expires, slotsToKeys int64
}

// memOverhead reads the figure (which records its peak) and breaks it
// down.
func (s *Server) memOverhead() memOverhead {
	m := memOverhead{used: s.usedMemory(), startup: usedMemoryStartup, peak: s.peakMem}
	m.total = m.startup
	if s.backlog != nil {
		m.replBacklog = s.backlog.mem()
	}
	m.total += m.replBacklog + m.clientsSlaves
	for _, c := range s.clients {
		if !c.isReplicaClient {
			m.clientsNormal += usedMemoryPerClient
		}
	}
	m.total += m.clientsNormal + m.clusterLinks
	if s.aofOn {
		m.aofBuffer = int64(len(s.aofBuf))
	}
	m.total += m.aofBuffer
	m.evalVM, m.functionsVM = scripting.FreshEvalVMMemory, scripting.FreshFunctionsVMMemory
	m.functionsCaches = scripting.EmptyFunctionsOverhead
	if s.engine != nil {
		m.luaCaches, m.evalVM, m.numScripts = s.engine.ScriptsMemory(), s.engine.VMMemory(), s.engine.Len()
	}
	if s.funcs != nil {
		m.functionsCaches, m.functionsVM = s.funcs.MemoryOverhead(), s.funcs.VMMemory()
		m.numFunctions, m.numLibraries = s.funcs.NumFunctions(), s.funcs.NumLibraries()
	}
	m.total += m.luaCaches + m.functionsCaches
	for _, d := range s.dbs {
		n := int64(d.keys.Len())
		if n == 0 {
			continue
		}
		m.keys += n
		o := dbOverhead{id: d.id}
		o.main = n*(sizeDictEntry+sizeRobj) + 8*int64(len(d.keys.buckets))
		o.expires = int64(d.expires.Len())*sizeDictEntry + 8*int64(len(d.expires.buckets))
		if s.cl != nil {
			// clusterDictEntryMetadata: the slot's list links.
			o.slotsToKeys = n * 16
		}
		m.total += o.main + o.expires + o.slotsToKeys
		m.dbs = append(m.dbs, o)
	}
	m.dataset = m.used - m.total
	m.peakPerc = float32(m.used) * 100 / float32(m.peak)
	net := int64(1)
	if m.used > m.startup {
		net = m.used - m.startup
	}
	m.datasetPerc = float32(m.dataset) * 100 / float32(net)
	if m.keys > 0 {
		m.bytesPerKey = net / m.keys
	}
	return m
}

// perc formats a float as %.2f does, after C's promotion to double.
func perc(f float32) string { return strconv.FormatFloat(float64(f), 'f', 2, 64) }

func (s *Server) infoMemory(b *strings.Builder) {
	m := s.memOverhead()
	u := uint64(m.used)
	b.WriteString("# Memory\r\n")
	field(b, "used_memory", m.used)
	field(b, "used_memory_human", bytesToHuman(u))
	field(b, "used_memory_rss", m.used)
	field(b, "used_memory_rss_human", bytesToHuman(u))
	field(b, "used_memory_peak", m.peak)
	field(b, "used_memory_peak_human", bytesToHuman(uint64(m.peak)))
	field(b, "used_memory_peak_perc", perc(m.peakPerc)+"%")
	field(b, "used_memory_overhead", m.total)
	field(b, "used_memory_startup", m.startup)
	field(b, "used_memory_dataset", m.dataset)
	field(b, "used_memory_dataset_perc", perc(m.datasetPerc)+"%")
	field(b, "allocator_allocated", m.used)
	field(b, "allocator_active", m.used)
	field(b, "allocator_resident", m.used)
	field(b, "total_system_memory", int64(simulatedHostMemory))
	field(b, "total_system_memory_human", bytesToHuman(simulatedHostMemory))
	field(b, "used_memory_lua", m.evalVM)
	field(b, "used_memory_vm_eval", m.evalVM)
	field(b, "used_memory_lua_human", bytesToHuman(uint64(m.evalVM)))
	field(b, "used_memory_scripts_eval", m.luaCaches)
	field(b, "number_of_cached_scripts", m.numScripts)
	field(b, "number_of_functions", m.numFunctions)
	field(b, "number_of_libraries", m.numLibraries)
	field(b, "used_memory_vm_functions", m.functionsVM)
	field(b, "used_memory_vm_total", m.functionsVM+m.evalVM)
	field(b, "used_memory_vm_total_human", bytesToHuman(uint64(m.functionsVM+m.evalVM)))
	field(b, "used_memory_functions", m.functionsCaches)
	field(b, "used_memory_scripts", m.luaCaches+m.functionsCaches)
	field(b, "used_memory_scripts_human", bytesToHuman(uint64(m.luaCaches+m.functionsCaches)))
	field(b, "maxmemory", s.cfg.MaxMemory)
	field(b, "maxmemory_human", bytesToHuman(s.cfg.MaxMemory))
	field(b, "maxmemory_policy", s.cfg.MaxMemoryPolicy)
	field(b, "allocator_frag_ratio", "1.00")
	field(b, "allocator_frag_bytes", 0)
	field(b, "allocator_rss_ratio", "1.00")
	field(b, "allocator_rss_bytes", 0)
	field(b, "rss_overhead_ratio", "1.00")
	field(b, "rss_overhead_bytes", 0)
	field(b, "mem_fragmentation_ratio", "1.00")
	field(b, "mem_fragmentation_bytes", 0)
	field(b, "mem_not_counted_for_evict", s.notCountedMemory())
	field(b, "mem_replication_backlog", m.replBacklog)
	field(b, "mem_total_replication_buffers", m.replBacklog)
	field(b, "mem_clients_slaves", m.clientsSlaves)
	field(b, "mem_clients_normal", m.clientsNormal)
	field(b, "mem_cluster_links", m.clusterLinks)
	field(b, "mem_aof_buffer", m.aofBuffer)
	field(b, "mem_allocator", "jemalloc-5.3.0")
	field(b, "active_defrag_running", 0)
	field(b, "lazyfree_pending_objects", 0)
	field(b, "lazyfreed_objects", 0)
}
