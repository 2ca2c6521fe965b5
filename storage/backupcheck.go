package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
)

// This file checks the structure of a bbolt file from the outside, before
// bbolt itself is allowed to open it. bbolt trusts its file: it follows page
// numbers and element offsets without bounds checks, so a damaged or
// hand-made file can make it read past the end of the mapping (a fault), loop
// through a page that points to itself (an endless recursion that kills the
// process) or panic. A backup comes from outside, so every page reachable from
// the meta page bbolt would use is walked here first, with each offset checked
// against the page and the file, and every page visited at most once.
//
// The layout (bbolt file format version 2, native byte order):
//
//	page header  id u64 | flags u16 | count u16 | overflow u32      (16 bytes)
//	meta         magic u32 | version u32 | pageSize u32 | flags u32 |
//	             root {pgid u64, sequence u64} | freelist u64 |
//	             pgid (high water mark) u64 | txid u64 | checksum u64
//	branch elem  pos u32 | ksize u32 | pgid u64                      (16 bytes)
//	leaf elem    flags u32 | pos u32 | ksize u32 | vsize u32         (16 bytes)
//	bucket value root pgid u64 | sequence u64 [| inline leaf page when root is 0]
//
// pos is counted from the element's own first byte. The checksum is FNV-1a
// 64 over the meta fields before it.

const (
	boltMagic          = 0xED0CDAED
	boltFormatVersion  = 2
	boltPageHeaderSize = 16
	boltElementSize    = 16
	boltMetaSize       = 64
	boltBucketHeader   = 16
	boltNoFreelist     = ^uint64(0)
	boltMinPageSize    = 1024
	boltMaxPageSize    = 1 << 24

	flagBranch   = 0x01
	flagLeaf     = 0x02
	flagFreelist = 0x10
	flagBucket   = 0x01
)

// errStructure is a structural fault; the message is for logs, the person
// is told the file is damaged.
var errStructure = errors.New("damaged database structure") // words:log: detail under notABackup's words

// errTooShort means the file ends before the data its header describes.
var errTooShort = errors.New("the file is cut short") // words:log: detail under notABackup's words

// errNotBolt means the file has no valid bbolt header at all.
var errNotBolt = errors.New("not a database file") // words:log: detail under notABackup's words

// boltMeta is the part of a meta page the walk needs.
type boltMeta struct {
	pageSize uint64
	root     uint64
	freelist uint64
	hwm      uint64
	txid     uint64
}

// readBoltMeta decodes and validates the meta page at off.
func readBoltMeta(r io.ReaderAt, size, off int64) (boltMeta, bool) {
	if off < 0 || off+boltPageHeaderSize+boltMetaSize > size {
		return boltMeta{}, false
	}
	buf := make([]byte, boltMetaSize)
	if _, err := r.ReadAt(buf, off+boltPageHeaderSize); err != nil {
		return boltMeta{}, false
	}
	ne := binary.NativeEndian
	if ne.Uint32(buf[0:]) != boltMagic || ne.Uint32(buf[4:]) != boltFormatVersion {
		return boltMeta{}, false
	}
	h := fnv.New64a()
	_, _ = h.Write(buf[:56])
	if h.Sum64() != ne.Uint64(buf[56:]) {
		return boltMeta{}, false
	}
	return boltMeta{
		pageSize: uint64(ne.Uint32(buf[8:])),
		root:     ne.Uint64(buf[16:]),
		freelist: ne.Uint64(buf[32:]),
		hwm:      ne.Uint64(buf[40:]),
		txid:     ne.Uint64(buf[48:]),
	}, true
}

// chooseBoltMeta picks the page size and meta page the way bbolt does when
// it opens the file: the page size from the first valid meta page found
// (page 0, then the candidate offsets of the second), then of the two meta
// pages the valid one with the higher transaction id.
func chooseBoltMeta(r io.ReaderAt, size int64) (boltMeta, error) {
	var pageSize uint64
	if m, ok := readBoltMeta(r, size, 0); ok && size >= 0x1000 {
		pageSize = m.pageSize
	} else {
		for i := 0; i <= 14; i++ {
			pos := int64(1024) << i
			if pos >= size-1024 {
				break
			}
			if m, ok := readBoltMeta(r, size, pos); ok {
				pageSize = m.pageSize
				break
			}
		}
	}
	if pageSize == 0 {
		return boltMeta{}, errNotBolt
	}
	if pageSize < boltMinPageSize || pageSize > boltMaxPageSize || pageSize&(pageSize-1) != 0 {
		return boltMeta{}, fmt.Errorf("%w: page size %d", errStructure, pageSize)
	}
	if uint64(size) < 2*pageSize {
		return boltMeta{}, errTooShort
	}
	m0, ok0 := readBoltMeta(r, size, 0)
	m1, ok1 := readBoltMeta(r, size, int64(pageSize))
	first, firstOK, second, secondOK := m0, ok0, m1, ok1
	if m1.txid > m0.txid {
		first, firstOK, second, secondOK = m1, ok1, m0, ok0
	}
	var m boltMeta
	switch {
	case firstOK:
		m = first
	case secondOK:
		m = second
	default:
		return boltMeta{}, errNotBolt
	}
	if m.pageSize != pageSize {
		return boltMeta{}, fmt.Errorf("%w: meta pages disagree on the page size", errStructure)
	}
	return m, nil
}

// boltWalker walks the page tree of one bbolt file.
type boltWalker struct {
	r        io.ReaderAt
	meta     boltMeta
	pageSize uint64
	seen     map[uint64]bool
}

// checkBoltFile reports whether every page bbolt could reach in the file
// stays inside the file and is reached once. A nil error means bbolt can open
// and read the file without faulting; it says nothing yet about what the
// file holds.
func checkBoltFile(r io.ReaderAt, size int64) error {
	if size == 0 {
		return errNotBolt
	}
	m, err := chooseBoltMeta(r, size)
	if err != nil {
		return err
	}
	if m.hwm < 3 {
		return fmt.Errorf("%w: high water mark %d", errStructure, m.hwm)
	}
	if m.hwm > uint64(size)/m.pageSize {
		return errTooShort
	}
	w := &boltWalker{r: r, meta: m, pageSize: m.pageSize, seen: map[uint64]bool{0: true, 1: true}}
	if m.freelist != boltNoFreelist {
		if err := w.checkFreelist(m.freelist); err != nil {
			return err
		}
	}
	return w.walk(m.root)
}

// readPage reads page id with its overflow pages after checking its header
// and marking every page it spans as seen.
func (w *boltWalker) readPage(id uint64, wantFlags ...uint16) ([]byte, error) {
	if id < 2 || id >= w.meta.hwm {
		return nil, fmt.Errorf("%w: page %d is outside the file's %d pages", errStructure, id, w.meta.hwm)
	}
	hdr := make([]byte, boltPageHeaderSize)
	if _, err := w.r.ReadAt(hdr, int64(id*w.pageSize)); err != nil {
		return nil, fmt.Errorf("%w: page %d: %v", errTooShort, id, err)
	}
	ne := binary.NativeEndian
	if got := ne.Uint64(hdr[0:]); got != id {
		return nil, fmt.Errorf("%w: page %d calls itself page %d", errStructure, id, got)
	}
	flags := ne.Uint16(hdr[8:])
	okFlags := false
	for _, f := range wantFlags {
		okFlags = okFlags || flags == f
	}
	if !okFlags {
		return nil, fmt.Errorf("%w: page %d has unexpected type %#x", errStructure, id, flags)
	}
	overflow := uint64(ne.Uint32(hdr[12:]))
	if overflow >= w.meta.hwm-id {
		return nil, fmt.Errorf("%w: page %d runs past the end of the file", errStructure, id)
	}
	for p := id; p <= id+overflow; p++ {
		if w.seen[p] {
			return nil, fmt.Errorf("%w: page %d is used twice", errStructure, p)
		}
		w.seen[p] = true
	}
	buf := make([]byte, (overflow+1)*w.pageSize)
	if _, err := w.r.ReadAt(buf, int64(id*w.pageSize)); err != nil {
		return nil, fmt.Errorf("%w: page %d: %v", errTooShort, id, err)
	}
	return buf, nil
}

func (w *boltWalker) checkFreelist(id uint64) error {
	buf, err := w.readPage(id, flagFreelist)
	if err != nil {
		return err
	}
	ne := binary.NativeEndian
	count := uint64(ne.Uint16(buf[10:]))
	first := uint64(0)
	if count == 0xFFFF {
		if len(buf) < boltPageHeaderSize+8 {
			return fmt.Errorf("%w: freelist page %d", errStructure, id)
		}
		count = ne.Uint64(buf[boltPageHeaderSize:])
		first = 1
	}
	room := uint64(len(buf)-boltPageHeaderSize) / 8
	if first > room || count > room-first {
		return fmt.Errorf("%w: freelist page %d lists more pages than it holds", errStructure, id)
	}
	free := make(map[uint64]bool, count)
	for i := first; i < first+count; i++ {
		p := ne.Uint64(buf[boltPageHeaderSize+8*i:])
		if p < 2 || p >= w.meta.hwm || free[p] {
			return fmt.Errorf("%w: freelist page %d lists page %d wrongly", errStructure, id, p)
		}
		free[p] = true
	}
	return nil
}

// walk visits the tree rooted at page root and every bucket below it,
// iteratively, so a deep or hostile file cannot exhaust the stack.
func (w *boltWalker) walk(root uint64) error {
	pending := []uint64{root}
	for len(pending) > 0 {
		id := pending[len(pending)-1]
		pending = pending[:len(pending)-1]
		buf, err := w.readPage(id, flagBranch, flagLeaf)
		if err != nil {
			return err
		}
		children, err := treePageChildren(buf, id)
		if err != nil {
			return err
		}
		pending = append(pending, children...)
	}
	return nil
}

// treePageChildren checks one branch or leaf page (a stored page, or a
// bucket's inline page) and returns the page numbers it points to: branch
// children and the root pages of the buckets it holds. Inline bucket pages
// inside it are checked on the spot; each lies strictly inside its parent's
// value, so the nesting is finite.
func treePageChildren(page []byte, id uint64) ([]uint64, error) {
	var children []uint64
	inline := false
	type inlinePage struct{ buf []byte }
	work := []inlinePage{{page}}
	for len(work) > 0 {
		p := work[len(work)-1].buf
		work = work[:len(work)-1]
		ne := binary.NativeEndian
		if len(p) < boltPageHeaderSize {
			return nil, fmt.Errorf("%w: page %d is too small", errStructure, id)
		}
		flags := ne.Uint16(p[8:])
		count := uint64(ne.Uint16(p[10:]))
		if uint64(len(p)-boltPageHeaderSize)/boltElementSize < count {
			return nil, fmt.Errorf("%w: page %d has more entries than room", errStructure, id)
		}
		switch flags {
		case flagBranch:
			if inline {
				return nil, fmt.Errorf("%w: page %d: an inline bucket is a branch", errStructure, id)
			}
			if count == 0 {
				return nil, fmt.Errorf("%w: page %d is an empty branch", errStructure, id)
			}
			for i := uint64(0); i < count; i++ {
				at := boltPageHeaderSize + i*boltElementSize
				pos := uint64(ne.Uint32(p[at:]))
				ksize := uint64(ne.Uint32(p[at+4:]))
				if at+pos+ksize > uint64(len(p)) {
					return nil, fmt.Errorf("%w: page %d entry %d points outside the page", errStructure, id, i)
				}
				children = append(children, ne.Uint64(p[at+8:]))
			}
		case flagLeaf:
			for i := uint64(0); i < count; i++ {
				at := boltPageHeaderSize + i*boltElementSize
				elemFlags := ne.Uint32(p[at:])
				pos := uint64(ne.Uint32(p[at+4:]))
				ksize := uint64(ne.Uint32(p[at+8:]))
				vsize := uint64(ne.Uint32(p[at+12:]))
				start := at + pos
				end := start + ksize + vsize
				if end > uint64(len(p)) {
					return nil, fmt.Errorf("%w: page %d entry %d points outside the page", errStructure, id, i)
				}
				if elemFlags&flagBucket == 0 {
					continue
				}
				value := p[start+ksize : end]
				if len(value) < boltBucketHeader {
					return nil, fmt.Errorf("%w: page %d entry %d is a bucket without a header", errStructure, id, i)
				}
				if rootPage := ne.Uint64(value); rootPage != 0 {
					children = append(children, rootPage)
					continue
				}
				sub := value[boltBucketHeader:]
				if len(sub) < boltPageHeaderSize || ne.Uint16(sub[8:]) != flagLeaf {
					return nil, fmt.Errorf("%w: page %d entry %d holds a damaged inline bucket", errStructure, id, i)
				}
				work = append(work, inlinePage{sub})
			}
		default:
			return nil, fmt.Errorf("%w: page %d has unexpected type %#x", errStructure, id, flags)
		}
		// Every page after the first in this loop is an inline bucket.
		inline = true
	}
	return children, nil
}
