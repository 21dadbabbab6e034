# Used by slow-readers.sh: PORT N PID. Fills one visitor's list to the limits, then N connections ask for it
# three times each and read nothing; prints page size, RSS (base, peak, after) and seconds /health was not UP.
import sys, time, subprocess, socket, re, urllib.request, urllib.parse, concurrent.futures
PORT=int(sys.argv[1]); N=int(sys.argv[2]); pid=sys.argv[3]; B=f"http://127.0.0.1:{PORT}"
def rss(): return int(subprocess.check_output(['ps','-o','rss=','-p',pid]))//1024
page=urllib.request.urlopen(B+"/"); cookie=page.headers["Set-Cookie"].split(";")[0]; html=page.read().decode()
csrf=re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
title="\u6f22"*996
def post(i):
    body=urllib.parse.urlencode({"_csrf":csrf,"title":"%04d"%i+title}).encode()
    r=urllib.request.Request(B+"/todos", data=body, headers={"Cookie":cookie,"Origin":B,"Content-Type":"application/x-www-form-urlencoded","Accept":"text/vnd.turbo-stream.html"})
    return urllib.request.urlopen(r).status
with concurrent.futures.ThreadPoolExecutor(4) as ex: assert set(ex.map(post, range(1,1001)))=={200}
size=len(urllib.request.urlopen(urllib.request.Request(B+"/", headers={"Cookie":cookie})).read())
base=rss(); socks=[]
for i in range(N):
    s=socket.create_connection(("127.0.0.1",PORT)); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(f'GET / HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nCookie: {cookie}\r\n\r\n'.encode()*3); socks.append(s)
peak=base; down=0
for k in range(15):
    time.sleep(1); peak=max(peak,rss())
    try:
        urllib.request.urlopen(B+"/health", timeout=5)
    except Exception: down+=1
for s in socks: s.close()
time.sleep(2)
print(f"page {size/1e6:.1f} MB N={N} rss base {base} peak {peak} after {rss()} MiB, health not UP {down}/15 s")
