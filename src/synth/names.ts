/**
 * Name material for synthetic people: common UK forenames by sex and generation, common UK
 * surnames with rough frequency weights (including names of families with South Asian, African,
 * Caribbean, Irish and Eastern European heritage), nicknames, and the typing mistakes that make
 * real records disagree. Each person is an invented combination; no real individual is implied.
 */
import { Weighted, type Rng } from './random.ts';

type Era = 'pre1960' | 'mid' | 'recent' | 'young';

/** Birth year → naming generation. */
export function eraOf(year: number): Era {
  if (year < 1960) return 'pre1960';
  if (year < 1990) return 'mid';
  if (year < 2010) return 'recent';
  return 'young';
}

const FEMALE: Record<Era, string> = {
  pre1960:
    'Margaret Patricia Jean Joan Barbara Mary Sheila Sandra Christine Brenda Valerie Irene Doreen Maureen Pauline Dorothy Betty Eileen Elizabeth Susan Ann Janet Kathleen Shirley Jennifer Linda Jacqueline Carol Gillian Rita Marion Hazel Sylvia Josephine Catherine Edna Pamela Veronica Marjorie Florence',
  mid:
    'Sarah Claire Emma Nicola Lisa Michelle Joanne Rachel Karen Helen Julie Kelly Amanda Donna Samantha Louise Victoria Rebecca Laura Deborah Tracey Natalie Kerry Stephanie Gemma Jennifer Catherine Elizabeth Kimberley Angela Dawn Susan Alison Zoe Hayley Jodie Leanne Charlotte Nadia Shabana Nasreen Yasmin',
  recent:
    'Jessica Chloe Emily Sophie Megan Hannah Lauren Charlotte Amy Rebecca Bethany Olivia Ellie Abigail Holly Georgia Katie Jade Shannon Courtney Eleanor Lucy Molly Grace Ella Amelia Keira Leah Paige Aimee Zara Aisha Fatima Maryam Ayesha Precious Chantelle Natasha Kayleigh Danielle',
  young:
    'Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Florence Emily Ella Poppy Evie Elsie Charlotte Evelyn Sienna Daisy Phoebe Harper Ruby Maya Matilda Alice Millie Hallie Aria Layla Zainab Maryam Hafsa Amara Nevaeh Lacey Bonnie',
};

const MALE: Record<Era, string> = {
  pre1960:
    'John David Michael Peter Robert Anthony Brian Alan William James Richard Kenneth Roger Keith Colin Christopher Raymond Terence Barry Ronald Stephen Graham Dennis Geoffrey Derek Trevor Leonard Frederick Arthur Gerald Donald Malcolm Philip Edward George Thomas Harold Bernard Albert Norman',
  mid:
    'Paul Mark David Andrew Richard Christopher James Simon Michael Matthew Stephen Lee Jason Darren Daniel Craig Gary Neil Ian Robert Jonathan Anthony Martin Wayne Adam Carl Dean Kevin Thomas Scott Shaun Ryan Jamie Mohammed Imran Tariq Wesley Lloyd Marcus Delroy',
  recent:
    'Jack Thomas Joshua Daniel James Samuel Oliver Luke Ryan Callum Jordan Connor Lewis Liam Harry Benjamin Alexander Kieran Jake Reece Bradley Nathan Tyler Charlie Kyle Aaron Dylan Joseph Owen Mohammed Muhammad Adam Ibrahim Ali Kai Jayden Brandon Ethan Mason Declan',
  young:
    'Oliver Noah George Arthur Muhammad Leo Harry Oscar Archie Henry Theodore Freddie Jack Charlie Teddy Alfie Jacob Thomas Finley Arlo Lucas Isaac Tommy Albie Reggie Theo Roman Ezra Louie Jaxon Rory Elijah Hunter Mohammed Idris Yusuf Kayden Ollie Frankie Ronnie',
};

/** [surname, relative frequency]. */
const SURNAMES: ReadonlyArray<readonly [string, number]> = (
  'Smith 100,Jones 75,Williams 55,Taylor 50,Brown 48,Davies 45,Evans 38,Wilson 36,Thomas 34,Johnson 33,Roberts 32,Robinson 28,' +
  'Thompson 28,Wright 28,Walker 27,White 26,Edwards 26,Hughes 25,Green 25,Hall 25,Lewis 24,Harris 24,Clarke 24,Patel 24,Jackson 23,' +
  'Wood 23,Turner 22,Martin 22,Cooper 22,Hill 21,Ward 21,Morris 21,Moore 20,Clark 20,Lee 20,King 19,Baker 19,Harrison 19,Morgan 19,' +
  'Allen 18,James 18,Scott 18,Phillips 17,Watson 17,Davis 17,Parker 17,Price 16,Bennett 16,Young 16,Griffiths 16,Mitchell 16,Kelly 15,' +
  'Cook 15,Carter 15,Richardson 15,Bailey 15,Collins 15,Bell 14,Shaw 14,Murphy 14,Miller 14,Cox 14,Richards 13,Khan 13,Marshall 13,' +
  'Anderson 13,Simpson 13,Ellis 13,Adams 13,Singh 13,Begum 12,Wilkinson 12,Foster 12,Chapman 12,Powell 12,Webb 12,Rogers 12,Gray 12,' +
  'Mason 12,Ali 12,Hunt 11,Hussain 11,Campbell 11,Matthews 11,Owen 11,Palmer 11,Holmes 11,Mills 11,Barnes 11,Knight 10,Lloyd 10,' +
  'Butler 10,Russell 10,Barker 10,Fisher 10,Stevens 10,Jenkins 10,Murray 10,Dixon 10,Harvey 10,Graham 9,Pearson 9,Ahmed 9,Fletcher 9,' +
  'Walsh 9,Kaur 9,Gibson 9,Howard 9,Andrews 9,Stewart 9,Elliott 9,Reynolds 9,Saunders 9,Payne 9,Fox 8,Ford 8,Pearce 8,Day 8,Brooks 8,' +
  'West 8,Lawrence 8,Cole 8,Atkinson 8,Bradley 8,Spencer 8,Gill 8,Dawson 8,Ball 8,Burton 8,O\'Brien 8,Watts 8,Rose 8,Booth 7,Perry 7,' +
  'Ryan 7,Grant 7,Wells 7,Armstrong 7,Francis 7,Rees 7,Hayes 7,Hart 7,Hudson 7,Newman 7,Barrett 7,Webster 7,Hunter 7,Gregory 7,Carr 7,' +
  'Lowe 7,Page 7,Marsh 7,Riley 7,Dunn 7,Woods 7,Parsons 6,Berry 6,Stone 6,Reid 6,Holland 6,Hawkins 6,Harding 6,Porter 6,Robertson 6,' +
  'Newton 6,Oliver 6,Reed 6,Kennedy 6,Williamson 6,Bird 6,Gardner 6,Shah 6,Dean 6,Lane 6,Cooke 6,Bates 6,Henderson 6,Parry 6,Burgess 6,' +
  'Bishop 6,Walton 6,Burns 6,Nicholson 6,Shepherd 6,Ross 6,Cross 5,Long 5,Freeman 5,Warren 5,Nicholls 5,Hamilton 5,Byrne 5,Sutton 5,' +
  'McDonald 5,Yates 5,Hodgson 5,Robson 5,Curtis 5,Hopkins 5,O\'Connor 5,Harper 5,Coleman 5,Watkins 5,Moss 5,McCarthy 5,Chambers 5,' +
  'O\'Neill 5,Griffin 5,Sharp 5,Hardy 5,Wheeler 5,Potter 5,Osborne 5,Johnston 5,Gordon 5,Doyle 5,Wallace 5,George 5,Jordan 5,' +
  'Hutchinson 4,Rowe 4,Burke 4,May 4,Pritchard 4,Gilbert 4,Willis 4,Higgins 4,Read 4,Miah 4,Akhtar 4,Mahmood 4,Iqbal 4,Rahman 4,' +
  'Islam 4,Sharma 3,Kumar 3,Chowdhury 3,Uddin 3,Hassan 3,Mohamed 3,Abdi 3,Osei 3,Mensah 3,Boateng 3,Okafor 3,Adeyemi 3,Okoro 2,' +
  'Nowak 3,Kowalski 2,Wiśniewska 2,Lewandowski 2,Kamińska 2,Popescu 2,Ionescu 2,Kaya 2,Yılmaz 2,Silva 2,Costa 2,Pereira 2,Nguyen 2,' +
  'Chen 2,Wong 2,Campbell-Brown 1,Ferreira 2,Dubois 1,Rossi 1,Müller 1,Brennan 3,Gallagher 3,Quinn 3,Maguire 2,McLaughlin 2,' +
  'MacLeod 2,McKenzie 2,Fitzgerald 2,Bowen 3,Vaughan 3,Pugh 3,Llewellyn 2,Bryant 3,Francis-Grant 1,Thornton 3,Whitehead 3,Kirby 3,' +
  'Stanley 3,Middleton 3,Lamb 3,Connolly 3,Slater 3,Holt 3,Hewitt 3,Goddard 3,Sykes 3,Crawford 3,Barlow 3,Mellor 2,Hirst 2,Dyson 2'
)
  .split(',')
  .map((e) => {
    const i = e.lastIndexOf(' ');
    return [e.slice(0, i), Number(e.slice(i + 1))] as const;
  });

function weightedList(names: string): Weighted<string> {
  // Earlier names in each list are the more common: weight falls off gently down the list.
  const list = names.split(' ');
  return new Weighted(list.map((n, i) => [n, 1 / Math.sqrt(i + 3)] as const));
}

const FEMALE_W = Object.fromEntries(Object.entries(FEMALE).map(([k, v]) => [k, weightedList(v)])) as Record<Era, Weighted<string>>;
const MALE_W = Object.fromEntries(Object.entries(MALE).map(([k, v]) => [k, weightedList(v)])) as Record<Era, Weighted<string>>;
const SURNAMES_W = new Weighted(SURNAMES);

export function givenName(rng: Rng, sex: 'female' | 'male', year: number): string {
  return (sex === 'female' ? FEMALE_W : MALE_W)[eraOf(year)].pick(rng);
}

export function middleName(rng: Rng, sex: 'female' | 'male', year: number): string {
  // A middle name from an older generation's list, as families often do.
  const era = eraOf(year - 30);
  return (sex === 'female' ? FEMALE_W : MALE_W)[era].pick(rng);
}

export function surname(rng: Rng): string {
  return SURNAMES_W.pick(rng);
}

/** Formal name → the shortened forms people go by (and are recorded under by other agencies). */
export const NICKNAMES: Readonly<Record<string, readonly string[]>> = {
  Robert: ['Bob', 'Rob', 'Bobby', 'Robbie'],
  William: ['Bill', 'Will', 'Billy', 'Liam'],
  Elizabeth: ['Liz', 'Beth', 'Lizzie', 'Betty'],
  Katherine: ['Kate', 'Katie', 'Kathy'],
  Catherine: ['Cathy', 'Kate', 'Cat'],
  Margaret: ['Maggie', 'Peggy', 'Meg'],
  Richard: ['Rich', 'Dick', 'Ricky'],
  James: ['Jim', 'Jimmy', 'Jamie'],
  Thomas: ['Tom', 'Tommy'],
  Michael: ['Mike', 'Mick', 'Micky'],
  Christopher: ['Chris', 'Kit'],
  Daniel: ['Dan', 'Danny'],
  Matthew: ['Matt'],
  Jennifer: ['Jenny', 'Jen'],
  Alexander: ['Alex', 'Sandy'],
  Samuel: ['Sam', 'Sammy'],
  Joseph: ['Joe', 'Joey'],
  Anthony: ['Tony', 'Ant'],
  Edward: ['Ed', 'Eddie', 'Ted'],
  Charlotte: ['Charlie', 'Lottie'],
  Victoria: ['Vicky', 'Tori'],
  Rebecca: ['Becky', 'Becca'],
  Jessica: ['Jess', 'Jessie'],
  Nicholas: ['Nick', 'Nicky'],
  Benjamin: ['Ben', 'Benny'],
  Jonathan: ['Jon', 'Jonny'],
  Stephen: ['Steve', 'Stevie'],
  Patricia: ['Pat', 'Trish', 'Patsy'],
  Susan: ['Sue', 'Suzy'],
  Deborah: ['Debbie', 'Deb'],
  Amanda: ['Mandy'],
  Kimberley: ['Kim'],
  Abigail: ['Abbie', 'Abby'],
  Olivia: ['Liv', 'Livvy'],
  Isabella: ['Bella', 'Izzy'],
  Joshua: ['Josh'],
  Henry: ['Harry', 'Hal'],
  Frederick: ['Fred', 'Freddie'],
  Alfred: ['Alf', 'Alfie'],
  Theodore: ['Theo', 'Teddy'],
  Samantha: ['Sam', 'Sammie'],
  Christine: ['Chris', 'Chrissie'],
  Josephine: ['Jo', 'Josie'],
  Leonard: ['Len', 'Lenny'],
  Kenneth: ['Ken', 'Kenny'],
  Ronald: ['Ron', 'Ronnie'],
  Donald: ['Don', 'Donny'],
  Gerald: ['Gerry'],
  Raymond: ['Ray'],
  Terence: ['Terry'],
  Philip: ['Phil'],
  Peter: ['Pete'],
  David: ['Dave', 'Davy'],
  Andrew: ['Andy', 'Drew'],
  Jacqueline: ['Jackie'],
  Pamela: ['Pam'],
  Sandra: ['Sandy'],
  Barbara: ['Babs'],
  Dorothy: ['Dot', 'Dottie'],
  Eleanor: ['Ellie', 'Nell'],
  Florence: ['Flo', 'Florrie'],
  Mohammed: ['Mo'],
  Muhammad: ['Mo'],
  Nathan: ['Nate'],
  Gillian: ['Gill'],
  Valerie: ['Val'],
  Jacob: ['Jake'],
  Archibald: ['Archie'],
  Lewis: ['Lew'],
  Bethany: ['Beth'],
  Natasha: ['Tasha'],
  Danielle: ['Dani'],
  Gemma: ['Gem'],
  Nicola: ['Nicky', 'Nic'],
  Louise: ['Lou'],
  Stephanie: ['Steph'],
  Zachary: ['Zach'],
  Callum: ['Cal'],
  Oliver: ['Ollie'],
  Harrison: ['Harry'],
  Elijah: ['Eli'],
  Matilda: ['Tilly'],
  Amelia: ['Millie'],
  Evelyn: ['Evie'],
  Phoebe: ['Phoebs'],
  Georgia: ['George'],
  Rosemary: ['Rosie'],
  Timothy: ['Tim'],
  Gregory: ['Greg'],
  Douglas: ['Doug'],
  Francis: ['Frank'],
  Frances: ['Fran'],
  Graham: ['Gray'],
};

export function nicknameOf(rng: Rng, given: string): string | null {
  const options = NICKNAMES[given];
  return options ? rng.pick(options) : null;
}

const KEYBOARD_NEIGHBOURS: Readonly<Record<string, string>> = {
  a: 'sqz', b: 'vn', c: 'xv', d: 'sf', e: 'wr', f: 'dg', g: 'fh', h: 'gj', i: 'uo', j: 'hk', k: 'jl', l: 'k',
  m: 'n', n: 'bm', o: 'ip', p: 'o', q: 'w', r: 'et', s: 'ad', t: 'ry', u: 'yi', v: 'cb', w: 'qe', x: 'zc', y: 'tu', z: 'x',
};
const SOUND_ALIKES: ReadonlyArray<readonly [RegExp, string]> = [
  [/ph/i, 'f'], [/ie$/i, 'y'], [/y$/i, 'ie'], [/ck/i, 'k'], [/ou/i, 'ow'], [/ee/i, 'ea'], [/ai/i, 'ay'], [/c(?=[aou])/i, 'k'],
  [/s$/i, 'se'], [/ll/i, 'l'], [/tt/i, 't'], [/nn/i, 'n'], [/mm/i, 'm'], [/ey$/i, 'y'], [/son$/i, 'sen'],
];

/**
 * A plausible data-entry mistake in a name: a transposed pair, a dropped, doubled or mistyped
 * letter, or a sound-alike spelling. Keeps the first letter and the case pattern.
 */
export function typo(rng: Rng, name: string): string {
  if (name.length < 4) return name;
  for (let attempt = 0; attempt < 4; attempt++) {
    const kind = rng.int(5);
    const i = 1 + rng.int(name.length - 2); // never the first letter
    let out = name;
    if (kind === 0) out = name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
    else if (kind === 1) out = name.slice(0, i) + name.slice(i + 1);
    else if (kind === 2) out = name.slice(0, i) + name[i] + name.slice(i);
    else if (kind === 3) {
      const ch = name[i]!.toLowerCase();
      const near = KEYBOARD_NEIGHBOURS[ch];
      if (near) out = name.slice(0, i) + near[rng.int(near.length)] + name.slice(i + 1);
    } else {
      const rule = SOUND_ALIKES[rng.int(SOUND_ALIKES.length)]!;
      if (rule[0].test(name.slice(1))) out = name[0] + name.slice(1).replace(rule[0], rule[1]);
    }
    if (out !== name && /^[\p{L}][\p{L}'’ -]*[\p{L}]$/u.test(out)) return out;
  }
  return name;
}

/** A made-up alias of the kind recorded by police or housing (a different first name, sometimes a street name). */
export function alias(rng: Rng, sex: 'female' | 'male', year: number): string {
  return givenName(rng, sex, year + rng.range(-15, 15));
}
