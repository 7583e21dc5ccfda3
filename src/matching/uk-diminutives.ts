/**
 * Built-in table of UK forenames, their diminutives (nicknames, short forms) and common variant spellings.
 *
 * One group per line: `canonical: variant variant …`. The canonical name is the group key. A variant may
 * appear in several groups (Sam is in both Samuel and Samantha); two names are treated as forms of the same
 * name when they share a group, so Samuel and Samantha do not match each other, but each matches Sam.
 * Everything is lower case, ASCII and apostrophe-free (the form `normaliseName` + `nameKey` produce).
 *
 * This table ships with the application so that matching works everywhere (production has no ../shared);
 * the carltonnorthern CSV, when present, is merged on top of it. Keep the groups conservative: every pair
 * in a group is offered to practitioners as "possibly the same person".
 */
export const UK_DIMINUTIVES_TEXT = `
abigail: abi abbi abby abbie abbey gail
abraham: abe bram
adam: ad addy
adrian: ade
agnes: aggie nessa nessie agnieszka aga
aidan: aiden aydan ayden aden
albert: al bert bertie albie
alexander: alex alec alick sandy xander zander lex alexandre alasdair alastair alistair ali sasha aleksander olek
alexandra: alex alexa lexi lexie sandy sandra sasha ali ally allie xandra aleksandra
alexis: alex lexi lexie
alfred: alf alfie fred freddie freddy
alice: ally allie ali alys
alison: ali ally allie allison alyson
amanda: mandy manda
amelia: millie milly amy emilia
andrew: andy drew andie
angela: angie
anne: ann annie anna nan nancy nanette anya
annabel: annie bella belle annabelle anabel
anthony: tony ant antony anton
archibald: archie
arthur: art artie
barbara: barb babs barbie basia
barnabas: barney barnaby
barry: baz
bartholomew: bart bartek bartlomiej
beatrice: bea trixie beattie beatrix
benedict: ben benny
benjamin: ben benny benji benjy
bernadette: bernie detta
bernard: bernie barney
bethany: beth
bridget: bridie biddy brigid bridgette
caitlin: caitlyn katelyn kaitlyn kaitlin katelin kaitlynn
camilla: millie milly cam
caroline: carol carrie caz callie carolyn
catherine: kate katie kath kathy cathy cath kitty kat katy katey kay katharine katherine kathryn cathryn catrin catriona katarzyna kasia
charles: charlie chas chaz chuck chic charley
charlotte: lottie lotte lotty charlie char
christian: chris christie
christina: chris chrissie christine tina kirsty kirstie kristina
christine: chris chrissie christina tina
christopher: chris kit topher christie kristopher krzysztof krzys
clifford: cliff
colin: col
connor: conor conner
constance: connie
cynthia: cindy
daniel: dan danny dani
danielle: dani danni elle
darren: daz
david: dave davey davie dai dafydd
deborah: debbie debs deb debra
declan: dec
dennis: den denny denis
derek: del derrick
diana: di diane dianne
dominic: dom dominik
donald: don donny
dorothy: dot dotty dolly dora
douglas: doug dougie
edmund: ed eddie ned ted edmond
edward: ed eddie eddy ted teddy ned
edwin: ed eddie
eleanor: ellie nell nellie nora norah elle elinor elenor eleanore
elizabeth: liz lizzie lizzy beth betty bess bessie libby lisa eliza elsie betsy bet elisabeth ellie
ellen: ellie nell nellie elle
emily: em emmy millie milly emilie
emma: em emmy
eugene: gene
evelyn: evie eve
felicity: fliss flick
florence: flo flossie florrie
frances: fran fanny frankie
francis: frank frankie fran
frederick: fred freddie freddy fredrick frederic
gabriel: gabe gab
gabrielle: gabby gabi gaby
gareth: gaz
gary: gaz garry
geoffrey: geoff jeff jeffrey jeffery
george: georgie geordie
georgina: georgie gina georgia
gerald: gerry jerry ged
gerard: gerry ged jerry
gertrude: gertie trudy
gilbert: gil bert
gillian: gill jill jillian gilly
grace: gracie
gregory: greg
gwendolen: gwen gwendolyn
harold: harry hal
harriet: hattie hatty harry
hayley: haley hailey haylee
helen: nell nellie ellie lena helena
henry: harry hal hank hen
herbert: herb bert bertie
isabel: izzy izzie issy bella belle isabella isobel isabelle
isabella: izzy izzie issy bella belle isabel isobel isabelle
jacob: jake jakub kuba
jacqueline: jackie jacqui jacky
james: jim jimmy jamie jimbo jem hamish
jane: janey jenny jan
janet: jan jen jenny
jasmine: jas jaz jazz yasmin yasmine jasmin
jason: jay jase
jayden: jaden jaiden jaydon
jennifer: jen jenny jenna jenni
jessica: jess jessie jessy
joanna: jo jojo joanne joann
joanne: jo jojo joanna joann
john: jack johnny johnnie jon jonny jock jackie
jonathan: jon jonny jonty
joseph: joe jo joey jos joss jody
josephine: jo josie jos jojo
joshua: josh
judith: judy jude
julia: jules julie
julian: jules
katie: katy katey kate
kelly: kelli kellie
kenneth: ken kenny
kevin: kev
laurence: laurie larry lawrence lol
leah: lea lia
leonard: len lenny leo
leslie: les lesley
lewis: lew louis lou
louis: lou louie lewis
louise: lou lulu louisa
lucy: lucie luce
madeleine: maddie maddy madeline madelaine
margaret: maggie meg peggy peg maisie mags madge greta margo marge margie megan rita malgorzata gosia
martin: marty
mary: molly mollie polly mae may mamie maria marie
maryam: mariam meryem
matilda: tilly tillie mattie
matthew: matt matty mat
maureen: mo
maurice: mo morris mossie
maximilian: max
maxwell: max
megan: meg meghan meagan
melanie: mel
melissa: mel missy
michael: mike mick micky mickey mikey mikael michal
mildred: millie milly
muhammad: mohammed mohammad mohamed muhammed mohamad mohammod mohamud muhamed muhammet mehmet mohd md mo
natalie: nat natalia tally
natasha: tash tasha nat
nathan: nat
nathaniel: nat nathan
niamh: neve neave nieve
nicholas: nick nicky nico nic
nicola: nicky nic nikki
oliver: ollie olly
olivia: liv livvy livia ollie
patricia: pat patsy trish tricia patty trisha
patrick: pat paddy
penelope: penny pen
peter: pete piotr piotrek
philip: phil pip phillip
philippa: pippa pip
rajesh: raj
rajinder: raj
raymond: ray
rebecca: becky becca bex beck
reece: rhys rees reese
reginald: reg reggie
richard: rich richie rick ricky dick dickie
robert: bob bobby rob robbie robin bert bertie rab rabbie
ronald: ron ronnie
rosalind: ros roz rosie
rose: rosie
rosemary: rose rosie
samantha: sam sammy sammie
samuel: sam sammy
sarah: sally sadie sara sal
sean: shaun shawn
sebastian: seb
sharon: shaz
sidney: sid sydney
sophia: sophie sofia
stanley: stan
stephen: steve stevie steven stephan stefan
susan: sue susie suzy susanne suzanne sukie
tariq: taz tarik tareq
tasmin: taz tazmin tasneem
terence: terry tel
teresa: terry tess tessa theresa
theodore: theo ted teddy
thomas: tom tommy thom tomek tomasz
timothy: tim timmy
tobias: toby
valerie: val
victoria: vicky vicki vikki tori vic
vincent: vince vinnie
virginia: ginny
vivienne: viv vivian
walter: walt wally
william: will bill billy willie willy liam wills wullie
winifred: winnie
wojciech: wojtek
zachary: zach zack zak
zoe: zoey
ahmed: ahmad ahmet
aisha: ayesha aishah aysha
fatima: fatimah fatma
hassan: hasan
hussain: hussein husain husein hossain
ibrahim: ebrahim ibraheem
yusuf: yousef yousuf yusef
usman: osman uthman othman
abdullah: abdallah
mustafa: mustapha mostafa
zainab: zaynab zenab
khadija: khadijah khadeeja
amir: ameer
`;

/** Parsed groups: canonical → variants (the canonical itself excluded). */
export function parseDiminutives(text: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const canonical = line.slice(0, colon).trim();
    const variants = line
      .slice(colon + 1)
      .split(/\s+/)
      .filter((v) => v !== '' && v !== canonical);
    const existing = groups.get(canonical);
    if (existing) existing.push(...variants);
    else groups.set(canonical, variants);
  }
  return groups;
}
