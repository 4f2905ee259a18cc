package redis

import (
	"math"
	"strconv"
	"strings"

	"github.com/redsim/redsim/nodes/rnum"
)

// LOLWUT, after lolwut.c, lolwut5.c and lolwut6.c. Version 7 (the
// default) prints the version line. Versions 5 (Georg Nees's Schotter)
// and 6 (a skyline) draw with C's rand(), which the node replaces with
// its stream: what does not depend on the draws (Schotter's first two
// rows, the canvas sizes, the captions) is Redis's byte for byte.

var lolwutCommands = []cmdSpec{
	{"lolwut", -1, fr, lolwutCommand, noKeys},
}

func lolwutCommand(c *client, args [][]byte) {
	version := Version
	if len(args) >= 3 && cEqualFold(args[1], "version") {
		v, ok := rnum.ParseInt(args[2])
		if !ok {
			c.w.WriteError(errNotInt)
			return
		}
		version = strconv.FormatUint(uint64(uint32(v)), 10) + ".0.0" // "%u.0.0"
		args = args[2:]
	}
	switch {
	case strings.HasPrefix(version, "5.") && version[2] != '9':
		c.lolwut5(args)
	case strings.HasPrefix(version, "6.") && version[2] != '9':
		c.lolwut6(args)
	default:
		c.w.WriteVerbatimString("Redis ver. "+Version+"\n", "txt")
	}
}

// lolwutArgs reads the optional numbers after the command (and VERSION
// n) into vals; false when one is not an integer.
func (c *client) lolwutArgs(args [][]byte, vals ...*int64) bool {
	for i, v := range vals {
		if len(args) <= i+1 {
			break
		}
		n, ok := rnum.ParseInt(args[i+1])
		if !ok {
			c.w.WriteError(errNotInt)
			return false
		}
		*v = n
	}
	return true
}

// canvas is lwCanvas: one byte per pixel.
type canvas struct {
	w, h   int
	pixels []byte
}

func newCanvas(w, h int, bg byte) *canvas {
	cv := &canvas{w: w, h: h, pixels: make([]byte, w*h)}
	for i := range cv.pixels {
		cv.pixels[i] = bg
	}
	return cv
}

func (cv *canvas) set(x, y int, color byte) {
	if x < 0 || x >= cv.w || y < 0 || y >= cv.h {
		return
	}
	cv.pixels[x+y*cv.w] = color
}

func (cv *canvas) get(x, y int) byte {
	if x < 0 || x >= cv.w || y < 0 || y >= cv.h {
		return 0
	}
	return cv.pixels[x+y*cv.w]
}

// line is lwDrawLine, Bresenham's.
func (cv *canvas) line(x1, y1, x2, y2 int, color byte) {
	dx, dy := abs(x2-x1), abs(y2-y1)
	sx, sy := -1, -1
	if x1 < x2 {
		sx = 1
	}
	if y1 < y2 {
		sy = 1
	}
	err := dx - dy
	for {
		cv.set(x1, y1, color)
		if x1 == x2 && y1 == y2 {
			break
		}
		e2 := err * 2
		if e2 > -dy {
			err -= dy
			x1 += sx
		}
		if e2 < dx {
			err += dx
			y1 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// square is lwDrawSquare, in C's float and double arithmetic.
func (cv *canvas) square(x, y int, size, angle float32, color byte) {
	size = float32(float64(size) / 1.4142135623)
	size = float32(math.Round(float64(size)))
	var px, py [4]int
	k := float32(math.Pi/4) + angle
	for j := range 4 {
		px[j] = int(math.Round(math.Sin(float64(k))*float64(size) + float64(x)))
		py[j] = int(math.Round(math.Cos(float64(k))*float64(size) + float64(y)))
		k += float32(math.Pi / 2)
	}
	for j := range 4 {
		cv.line(px[j], py[j], px[(j+1)%4], py[(j+1)%4], color)
	}
}

// crand is C's rand(): 0 to RAND_MAX (2^31-1), from the node's stream.
func (c *client) crand() int { return int(c.s.rng.Int32()) }

func clampLong(v *int64, lo, hi int64) { *v = min(max(*v, lo), hi) }

// lolwut5 is lolwut5Command: Schotter, in Braille characters.
func (c *client) lolwut5(args [][]byte) {
	cols, perRow, perCol := int64(66), int64(8), int64(12)
	if !c.lolwutArgs(args, &cols, &perRow, &perCol) {
		return
	}
	clampLong(&cols, 1, 1000)
	clampLong(&perRow, 1, 200)
	clampLong(&perCol, 1, 200)
	width := int(cols) * 2
	padding := 0
	if width > 4 {
		padding = 2
	}
	side := float32(width-padding*2) / float32(perRow)
	height := int(side*float32(perCol) + float32(padding*2))
	cv := newCanvas(width, height, 0)
	const randMax = float32(math.MaxInt32)
	for y := range int(perCol) {
		for x := range int(perRow) {
			sx := int(float32(x)*side + side/2 + float32(padding))
			sy := int(float32(y)*side + side/2 + float32(padding))
			angle := float32(0)
			if y > 1 {
				r1 := float32(c.crand()) / randMax / float32(perCol) * float32(y)
				r2 := float32(c.crand()) / randMax / float32(perCol) * float32(y)
				r3 := float32(c.crand()) / randMax / float32(perCol) * float32(y)
				if c.crand()%2 != 0 {
					r1 = -r1
				}
				if c.crand()%2 != 0 {
					r2 = -r2
				}
				if c.crand()%2 != 0 {
					r3 = -r3
				}
				angle = r1
				sx = int(float32(sx) + r2*side/3)
				sy = int(float32(sy) + r3*side/3)
			}
			cv.square(sx, sy, side, angle, 1)
		}
	}
	var b strings.Builder
	for y := 0; y < cv.h; y += 4 {
		for x := 0; x < cv.w; x += 2 {
			bits := 0
			for i, p := range [8][2]int{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}, {0, 3}, {1, 3}} {
				if cv.get(x+p[0], y+p[1]) != 0 {
					bits |= 1 << i
				}
			}
			b.WriteRune(rune(0x2800 + bits))
		}
		if y != cv.h-1 {
			b.WriteByte('\n')
		}
	}
	b.WriteString("\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. " + Version + "\n")
	c.w.WriteVerbatimString(b.String(), "txt")
}

// lolwut6 is lolwut6Command: a skyline in terminal colours.
func (c *client) lolwut6(args [][]byte) {
	cols, rows := int64(80), int64(20)
	if !c.lolwutArgs(args, &cols, &rows) {
		return
	}
	clampLong(&cols, 1, 1000)
	clampLong(&rows, 1, 1000)
	cv := newCanvas(int(cols), int(rows), 3)
	c.skyline(cv)
	var b strings.Builder
	for y := range cv.h {
		for x := range cv.w {
			ce := "0;30;40m"
			switch cv.get(x, y) {
			case 1:
				ce = "0;90;100m"
			case 2:
				ce = "0;37;47m"
			case 3:
				ce = "0;97;107m"
			}
			b.WriteString("\033[" + ce + " \033[0m")
		}
		if y != cv.h-1 {
			b.WriteByte('\n')
		}
	}
	b.WriteString("\nDedicated to the 8 bit game developers of past and present.\nOriginal 8 bit image from Plaguemon by hikikomori. Redis ver. " + Version + "\n")
	c.w.WriteVerbatimString(b.String(), "txt")
}

// skyscraper is struct skyscraper.
type skyscraper struct {
	xoff, width, height int
	windows             bool
	color               byte
}

// skyline is generateSkyline.
func (c *client) skyline(cv *canvas) {
	var si skyscraper
	for color := byte(2); color >= 1; color-- {
		si.color = color
		for offset := -10; offset < cv.w; {
			offset += c.crand() % 8
			si.xoff = offset
			si.width = 10 + c.crand()%9
			if color == 2 {
				si.height = cv.h/2 + c.crand()%cv.h/2
			} else {
				si.height = cv.h/2 + c.crand()%cv.h/3
			}
			si.windows = false
			c.skyscraper(cv, si)
			if color == 2 {
				offset += si.width / 2
			} else {
				offset += si.width + 1
			}
		}
	}
	si.color = 0
	for offset := -10; offset < cv.w; {
		offset += c.crand() % 8
		si.xoff = offset
		si.width = 5 + c.crand()%14
		if si.width%4 != 0 {
			si.width += si.width % 3
		}
		si.height = cv.h/3 + c.crand()%cv.h/2
		si.windows = true
		c.skyscraper(cv, si)
		offset += si.width + 5
	}
}

// skyscraper is generateSkyscraper.
func (c *client) skyscraper(cv *canvas, si skyscraper) {
	starty := cv.h - 1
	endy := starty - si.height + 1
	for y := starty; y >= endy; y-- {
		for x := si.xoff; x < si.xoff+si.width; x++ {
			if y == endy && (x <= si.xoff+1 || x >= si.xoff+si.width-2) {
				continue
			}
			color := si.color
			if si.windows && x > si.xoff+1 && x < si.xoff+si.width-2 && y > endy+1 && y < starty-1 {
				relx, rely := x-(si.xoff+1), y-(endy+1)
				if relx/2%2 != 0 && rely%2 != 0 {
					for {
						color = byte(1 + c.crand()%2)
						if color != si.color {
							break
						}
					}
					if relx%2 != 0 {
						color = cv.get(x-1, y)
					}
				}
			}
			cv.set(x, y, color)
		}
	}
}

// clusterCommands are the cluster-mode connection commands, which a node
// without cluster support refuses (cluster.c).
var clusterCommands = []cmdSpec{
	{"readonly", 1, flagStale, readonlyCommand, noKeys},
	{"readwrite", 1, flagStale, readwriteCommand, noKeys},
	{"asking", 1, 0, askingCommand, noKeys},
}
